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
 * means no credentials.
 *
 * <p>Credential helpers are run as docker runs them: {@code credHelpers} names a helper per
 * registry, else {@code credsStore} one for every registry, and either wins over {@code auths}.
 * The helper {@code docker-credential-NAME} (found on PATH) is run with {@code get}, the
 * registry's server address on stdin ({@code https://index.docker.io/v1/} for Docker Hub, as
 * {@code docker login} stored it), and answers {@code {"Username": ..., "Secret": ...}}; a helper
 * that knows no credentials for the registry means none.
 */
public final class DockerConfig {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DOCKER_HUB = Set.of(ImageRef.DOCKER_HUB, "docker.io", "index.docker.io");
    /** the server address docker's credential helpers hold Docker Hub's credentials under */
    static final String HUB_SERVER = "https://index.docker.io/v1/";

    private final Path file;
    private final CredentialHelper helpers;

    public DockerConfig(Path file) {
        this(file, new CredentialHelper(CredentialHelper.pathDirectories()));
    }

    DockerConfig(Path file, CredentialHelper helpers) {
        this.file = file;
        this.helpers = helpers;
    }

    /** The credentials this file holds for {@code registry} (HOST[:PORT]), if any. */
    public Optional<Credentials> lookup(String registry) throws IOException {
        if (file == null || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the file, and the file holds passwords
            throw new IOException("registry credentials file " + file + " is not valid JSON (line "
                    + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
        }
        if (root == null || root.isMissingNode()) {
            return Optional.empty(); // an empty file
        }
        if (!root.isObject()) {
            throw new IOException("registry credentials file " + file + " does not hold a JSON object");
        }
        String helper = helper(root, registry);
        if (!helper.isEmpty()) {
            String server = DOCKER_HUB.contains(registry.toLowerCase(Locale.ROOT)) ? HUB_SERVER : registry;
            return helpers.get(helper, server, file);
        }
        JsonNode auths = root.path("auths");
        JsonNode entry = entry(auths, registry);
        return entry == null ? Optional.empty() : credentials(entry, registry);
    }

    /** The helper for {@code registry}: its {@code credHelpers} entry, else {@code credsStore}; empty for none. */
    private String helper(JsonNode root, String registry) throws IOException {
        JsonNode named = entry(root.path("credHelpers"), registry);
        JsonNode helper = named != null ? named : root.path("credsStore");
        if (helper.isMissingNode() || helper.isNull()) {
            return "";
        }
        if (!helper.isTextual() || !helper.asText().matches("[A-Za-z0-9._-]*")) {
            throw new IOException("registry credentials file " + file + ": a credential helper must be named by a string of "
                    + "letters, digits, '.', '_' and '-'");
        }
        return helper.asText();
    }

    /** The value under the key of {@code map} that names {@code registry} (written as a host or a URL), or null. */
    private static JsonNode entry(JsonNode map, String registry) {
        JsonNode exact = map.get(registry);
        if (exact != null) {
            return exact;
        }
        String want = registry.toLowerCase(Locale.ROOT);
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String host = host(e.getKey());
            if (host.equals(want) || (DOCKER_HUB.contains(host) && DOCKER_HUB.contains(want))) {
                return e.getValue();
            }
        }
        return null;
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
