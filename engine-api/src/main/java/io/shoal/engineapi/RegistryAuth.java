package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.dockermodel.Json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Docker's {@code X-Registry-Auth} header (base64url of {@code {"username","password"}} or of
 * {@code {"auth"}}) as Shoal's pull credentials: base64 of {@code user:password}, as in a docker
 * {@code config.json}.
 */
final class RegistryAuth {
    private RegistryAuth() {}

    /** The credentials the header carries; empty when it carries none. */
    static String of(String header) {
        if (header == null || header.isBlank()) {
            return "";
        }
        JsonNode j;
        try {
            j = Json.parse(Base64.getUrlDecoder().decode(header.trim()));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("X-Registry-Auth: not base64url-encoded JSON");
        }
        String auth = j.path("auth").asText("");
        if (!auth.isEmpty()) {
            return auth;
        }
        String user = j.path("username").asText("");
        if (user.isEmpty()) {
            if (!j.path("identitytoken").asText("").isEmpty()) {
                throw ApiError.badRequest("X-Registry-Auth: identity tokens are not supported by Shoal (use a user and password)");
            }
            return "";
        }
        return Base64.getEncoder().encodeToString((user + ":" + j.path("password").asText("")).getBytes(StandardCharsets.UTF_8));
    }
}
