package io.shoal.distribution;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registry credentials from a docker-style {@code config.json}:
 * {@code {"auths": {"HOST[:PORT]": {"auth": "base64(user:password)"}}}}, or with
 * {@code username}/{@code password} fields instead of {@code auth}. Keys may also be written as
 * URLs ({@code https://HOST/v1/}); Docker Hub's several names are one registry. The file is read on
 * every lookup, so {@code docker login} on the node takes effect without a restart; a missing file
 * means no credentials. Credential helpers ({@code credsStore}, {@code credHelpers}) are not run.
 */
public final class DockerConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DOCKER_HUB = Set.of(ImageRef.DOCKER_HUB, "docker.io", "index.docker.io");

    private final Path file;

    public DockerConfig(Path file) {
        this.file = file;
    }

    /** The credentials this file holds for {@code registry} (HOST[:PORT]), if any. */
    public Optional<Credentials> lookup(String registry) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode auths;
        try {
            auths = JSON.readTree(file.toFile()).path("auths");
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the file, and the file holds passwords
            throw new IOException("registry credentials file " + file + " is not valid JSON (line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
        }
        String want = registry.toLowerCase(Locale.ROOT);
        JsonNode exact = auths.get(registry);
        if (exact != null) {
            return credentials(exact, registry);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String host = host(e.getKey());
            if (host.equals(want) || (DOCKER_HUB.contains(host) && DOCKER_HUB.contains(want))) {
                return credentials(e.getValue(), registry);
            }
        }
        return Optional.empty();
    }

    /** {@code https://HOST:PORT/v1/} and {@code HOST:PORT} both name HOST:PORT. */
    static String host(String key) {
        String k = key.strip().toLowerCase(Locale.ROOT);
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
        }
        int slash = k.indexOf('/');
        return slash >= 0 ? k.substring(0, slash) : k;
    }

    private Optional<Credentials> credentials(JsonNode entry, String registry) throws IOException {
        try {
            String auth = entry.path("auth").asText("");
            if (!auth.isEmpty()) {
                return Optional.of(Credentials.fromAuth(auth));
            }
            String user = entry.path("username").asText("");
            if (!user.isEmpty()) {
                return Optional.of(new Credentials(user, entry.path("password").asText("")));
            }
            return Optional.empty(); // an empty entry: docker keeps the secret in a credential helper
        } catch (IllegalArgumentException e) {
            throw new IOException("the credentials for " + registry + " in " + file + " are unusable: " + e.getMessage());
        }
    }
}
