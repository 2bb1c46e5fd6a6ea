package io.shoal.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API: manifests (OCI and Docker v2 schema 2, image indexes and
 * manifest lists, of which linux/amd64 is chosen) and blobs, each verified against its digest
 * while it streams. Anonymous Bearer tokens are fetched when the registry asks for them.
 * Registries named in {@code insecure} are spoken to over plain http.
 */
final class RegistryClient {
    static final String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Set<String> insecure;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    RegistryClient(Set<String> insecure) {
        this.insecure = Set.copyOf(insecure);
    }

    record Manifest(String digest, JsonNode json) {}

    /** The image manifest for linux/amd64, resolving an index if the reference names one. */
    Manifest manifest(ImageRef ref) throws IOException {
        Manifest m = fetchManifest(ref, ref.reference());
        String type = m.json.path("mediaType").asText("");
        if (m.json.has("manifests") || type.contains("index") || type.contains("manifest.list")) {
            String chosen = null;
            for (JsonNode d : m.json.path("manifests")) {
                JsonNode p = d.path("platform");
                if (p.path("os").asText().equals("linux") && p.path("architecture").asText().equals("amd64")) {
                    chosen = d.path("digest").asText();
                    break;
                }
            }
            if (chosen == null) {
                throw new IOException("image " + ref + " has no linux/amd64 variant");
            }
            m = fetchManifest(ref, chosen);
        }
        if (!m.json.has("layers") || !m.json.has("config")) {
            throw new IOException("registry answered something that is not an image manifest for " + ref);
        }
        return m;
    }

    private Manifest fetchManifest(ImageRef ref, String reference) throws IOException {
        HttpResponse<byte[]> r = get(ref, "/manifests/" + reference, ACCEPT, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() == 404) {
            throw new IOException("image " + ref + " not found in its registry (manifest " + reference + ")");
        }
        if (r.statusCode() != 200) {
            throw new IOException("registry answered " + r.statusCode() + " for the manifest of " + ref);
        }
        String digest = sha256(r.body());
        if (reference.startsWith("sha256:") && !reference.equals(digest)) {
            throw new IOException("manifest digest mismatch for " + ref + ": got " + digest);
        }
        try {
            return new Manifest(digest, JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new IOException("registry answered a manifest that is not JSON for " + ref);
        }
    }

    /** Downloads a blob to {@code target}, verifying its digest while it streams. */
    void blob(ImageRef ref, String digest, Path target) throws IOException {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IOException("unsupported digest " + digest);
        }
        HttpResponse<InputStream> r = get(ref, "/blobs/" + digest, "*/*", HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            r.body().close();
            throw new IOException("registry answered " + r.statusCode() + " for blob " + digest + " of " + ref);
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        MessageDigest sha = sha();
        try (InputStream in = r.body(); OutputStream out = Files.newOutputStream(tmp)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        String got = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (!got.equals(digest)) {
            Files.deleteIfExists(tmp);
            throw new IOException("blob digest mismatch for " + ref + ": expected " + digest + ", got " + got);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private <T> HttpResponse<T> get(ImageRef ref, String path, String accept, HttpResponse.BodyHandler<T> body) throws IOException {
        String scheme = insecure.contains(ref.registry()) ? "http" : "https";
        URI uri = URI.create(scheme + "://" + ref.registry() + "/v2/" + ref.repository() + path);
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).header("Accept", accept).GET();
            String token = tokens.get(ref.registry() + "/" + ref.repository());
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<T> r = send(b.build(), body, ref);
            if (r.statusCode() == 401 && attempt == 0) {
                String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
                if (r.body() instanceof InputStream s) {
                    s.close();
                }
                if (!challenge.startsWith("Bearer ")) {
                    throw new IOException("registry " + ref.registry() + " wants credentials (" + challenge.split(" ")[0] + ")");
                }
                tokens.put(ref.registry() + "/" + ref.repository(), token(challenge, ref));
                continue;
            }
            return r;
        }
        throw new IOException("registry " + ref.registry() + " refused the token it issued");
    }

    private String token(String challenge, ImageRef ref) throws IOException {
        Matcher m = PARAM.matcher(challenge);
        Map<String, String> p = new java.util.HashMap<>();
        while (m.find()) {
            p.put(m.group(1), m.group(2));
        }
        String realm = p.get("realm");
        if (realm == null) {
            throw new IOException("registry " + ref.registry() + " sent a Bearer challenge without a realm");
        }
        String scope = p.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
        String q = "?scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
                + (p.containsKey("service") ? "&service=" + URLEncoder.encode(p.get("service"), StandardCharsets.UTF_8) : "");
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(realm + q)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray(), ref);
        if (r.statusCode() != 200) {
            throw new IOException("token service of " + ref.registry() + " answered " + r.statusCode());
        }
        JsonNode t = JSON.readTree(r.body());
        String token = t.path("token").asText(t.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new IOException("token service of " + ref.registry() + " gave no token");
        }
        return token;
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> body, ImageRef ref) throws IOException {
        try {
            return http.send(req, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pulling " + ref);
        } catch (IOException e) {
            throw new IOException("cannot reach registry " + ref.registry() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    static String sha256(byte[] data) {
        return "sha256:" + HexFormat.of().formatHex(sha().digest(data));
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
