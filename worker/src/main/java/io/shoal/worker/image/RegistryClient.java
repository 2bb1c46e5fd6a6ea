package io.shoal.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.distribution.Credentials;
import io.shoal.distribution.ImageRef;

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
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API: manifests (OCI and Docker v2 schema 2, image indexes and
 * manifest lists, of which the node's own {@link Platform} is chosen) and blobs, each verified
 * against its digest while it streams. A blob download that breaks off or meets a 5xx or 429
 * answer is tried again (up to {@link #BLOB_ATTEMPTS} times, waiting a doubling, jittered time),
 * resuming where it stopped with a Range request when the registry honours it (206) and starting
 * over when it does not. A registry that answers 401 gets what its challenge asks for: Basic
 * credentials, or a Bearer token from the token service it names (fetched with the Basic
 * credentials when there are some, anonymously otherwise); the header is cached per registry,
 * repository and credentials. Redirects are followed by hand so the Authorization header never
 * leaves the registry's origin. Registries named in {@code insecure} are spoken to over plain http.
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
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private static final int MAX_REDIRECTS = 5;
    static final int BLOB_ATTEMPTS = 5;
    private static final long FIRST_RETRY_MILLIS = 200;
    private final Set<String> insecure;
    private final Platform platform;
    private final Map<AuthKey, String> auth = new ConcurrentHashMap<>();

    RegistryClient(Set<String> insecure) {
        this(insecure, Platform.current());
    }

    RegistryClient(Set<String> insecure, Platform platform) {
        this.insecure = Set.copyOf(insecure);
        this.platform = platform;
    }

    /** A manifest (or index) as the registry served it: the digest and size of its bytes, its media type. */
    record Manifest(String digest, long size, String mediaType, JsonNode json) {}

    /** The image manifest for this node's platform, resolving an index if the reference names one. */
    Manifest manifest(ImageRef ref, Credentials creds) throws IOException {
        Manifest m = fetchManifest(ref, creds, ref.reference());
        String type = m.json.path("mediaType").asText("");
        if (m.json.has("manifests") || type.contains("index") || type.contains("manifest.list")) {
            String chosen = platform.choose(m.json)
                    .orElseThrow(() -> new IOException("image " + ref + " has no " + platform + " variant"));
            m = fetchManifest(ref, creds, chosen);
        }
        if (!m.json.has("layers") || !m.json.has("config")) {
            throw new IOException("registry answered something that is not an image manifest for " + ref);
        }
        return m;
    }

    private Manifest fetchManifest(ImageRef ref, Credentials creds, String reference) throws IOException {
        HttpResponse<byte[]> r = get(ref, creds, "/manifests/" + reference, ACCEPT, HttpResponse.BodyHandlers.ofByteArray());
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
        JsonNode json;
        try {
            json = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IOException("registry answered a manifest that is not JSON for " + ref);
        }
        String type = json.path("mediaType").asText("");
        if (type.isEmpty()) {
            type = r.headers().firstValue("Content-Type").orElse("").split(";", 2)[0].strip();
        }
        return new Manifest(digest, r.body().length, type, json);
    }

    /** The manifest or index the reference names, as it is: not resolved to one platform's image. */
    Manifest top(ImageRef ref, Credentials creds) throws IOException {
        return fetchManifest(ref, creds, ref.reference());
    }

    /** A small blob (an image config) in memory, verified against its digest. */
    byte[] smallBlob(ImageRef ref, Credentials creds, String digest) throws IOException {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IOException("unsupported digest " + digest);
        }
        HttpResponse<byte[]> r = get(ref, creds, "/blobs/" + digest, "*/*", HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("registry answered " + r.statusCode() + " for blob " + digest + " of " + ref);
        }
        if (!sha256(r.body()).equals(digest)) {
            throw new IOException("blob digest mismatch for " + ref + ": expected " + digest + ", got " + sha256(r.body()));
        }
        return r.body();
    }

    /**
     * Downloads a blob to {@code target}, verifying its digest while it streams; a download that
     * breaks off is resumed (see the class comment).
     */
    void blob(ImageRef ref, Credentials creds, String digest, Path target) throws IOException {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IOException("unsupported digest " + digest);
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        Files.deleteIfExists(tmp);
        MessageDigest sha = sha();
        long have = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                have = download(ref, creds, digest, tmp, sha, have);
                break;
            } catch (RetryableBlobException e) {
                if (attempt >= BLOB_ATTEMPTS) {
                    Files.deleteIfExists(tmp);
                    throw new IOException(e.getMessage() + " (gave up after " + attempt + " attempts)");
                }
                // what was written was also hashed: the next attempt asks for the rest
                have = Files.exists(tmp) ? Files.size(tmp) : 0;
                pause(attempt, ref);
            }
        }
        String got = "sha256:" + HexFormat.of().formatHex(sha.digest());
        if (!got.equals(digest)) {
            Files.deleteIfExists(tmp);
            throw new IOException("blob digest mismatch for " + ref + ": expected " + digest + ", got " + got);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A failure worth another attempt: the connection broke, or the registry was briefly unable (5xx, 429). */
    private static final class RetryableBlobException extends IOException {
        RetryableBlobException(String message) {
            super(message);
        }
    }

    /**
     * One attempt: asks for the bytes from {@code have} on and appends them to {@code tmp} (or starts
     * over when the registry sends the whole blob); returns how many bytes {@code tmp} holds.
     */
    private long download(ImageRef ref, Credentials creds, String digest, Path tmp, MessageDigest sha, long have)
            throws IOException {
        HttpResponse<InputStream> r;
        try {
            r = get(ref, creds, "/blobs/" + digest, "*/*", have > 0 ? "bytes=" + have + "-" : null,
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (UnreachableException e) {
            throw new RetryableBlobException(e.getMessage());
        }
        int code = r.statusCode();
        if (code != 200 && code != 206) {
            r.body().close();
            String message = "registry answered " + code + " for blob " + digest + " of " + ref;
            throw code >= 500 || code == 429 ? new RetryableBlobException(message) : new IOException(message);
        }
        boolean append = code == 206 && have > 0;
        if (!append) {
            sha.reset();
            have = 0;
        }
        try (InputStream in = r.body(); OutputStream out = append
                ? Files.newOutputStream(tmp, StandardOpenOption.APPEND)
                : Files.newOutputStream(tmp)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while (true) {
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw new RetryableBlobException("the download of blob " + digest + " of " + ref + " broke off after "
                            + have + " bytes: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                }
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                sha.update(buf, 0, n);
                have += n;
            }
        }
        return have;
    }

    private static void pause(int attempt, ImageRef ref) throws IOException {
        long max = FIRST_RETRY_MILLIS << Math.min(attempt - 1, 5);
        try {
            Thread.sleep(max / 2 + ThreadLocalRandom.current().nextLong(max / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while pulling " + ref);
        }
    }

    /** What a cached Authorization header is good for: one repository, pulled as one user (or anonymously). */
    private record AuthKey(String registry, String repository, Credentials credentials) {}

    private <T> HttpResponse<T> get(ImageRef ref, Credentials creds, String path, String accept, HttpResponse.BodyHandler<T> body)
            throws IOException {
        return get(ref, creds, path, accept, null, body);
    }

    /** A GET of the repository's {@code path}, answering the registry's challenges; {@code range} may be null. */
    private <T> HttpResponse<T> get(ImageRef ref, Credentials creds, String path, String accept, String range,
                                    HttpResponse.BodyHandler<T> body) throws IOException {
        String scheme = insecure.contains(ref.registry()) ? "http" : "https";
        URI uri = URI.create(scheme + "://" + ref.registry() + "/v2/" + ref.repository() + path);
        AuthKey key = new AuthKey(ref.registry(), ref.repository(), creds);
        for (int attempt = 0; ; attempt++) {
            String authorization = auth.get(key);
            HttpResponse<T> r = follow(uri, accept, authorization, range, body, ref);
            if (r.statusCode() != 401) {
                return r;
            }
            close(r);
            String challenge = r.headers().firstValue("WWW-Authenticate").orElse("").strip();
            String scheme401 = challenge.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
            auth.remove(key);
            if (attempt > 0 || !(scheme401.equals("basic") || scheme401.equals("bearer"))) {
                if (!scheme401.isEmpty() && !scheme401.equals("basic") && !scheme401.equals("bearer")) {
                    throw new IOException("registry " + ref.registry() + " asks for " + challenge.split("\\s+", 2)[0]
                            + " authentication, which is not supported (only Basic and Bearer)");
                }
                throw refused(ref, creds);
            }
            if (scheme401.equals("basic")) {
                if (creds == null) {
                    throw refused(ref, null);
                }
                auth.put(key, creds.basic());
            } else {
                auth.put(key, "Bearer " + token(challenge, ref, creds));
            }
        }
    }

    /** The one line a user sees when a registry will not let them pull. Never names the password. */
    private static IOException refused(ImageRef ref, Credentials creds) {
        if (creds == null) {
            return new IOException("registry " + ref.registry() + " needs credentials to pull " + ref.repository()
                    + " and none were given (set them in the service spec or in the node's docker config.json)");
        }
        return new IOException("registry " + ref.registry() + " refused the credentials of user '" + creds.username()
                + "' for " + ref.repository());
    }

    /**
     * Sends a GET, following redirects by hand: blob downloads are often redirected to a storage
     * service, which must not receive the registry's Authorization header (and refuses it anyway).
     */
    private <T> HttpResponse<T> follow(URI uri, String accept, String authorization, String range,
                                       HttpResponse.BodyHandler<T> body, ImageRef ref) throws IOException {
        URI origin = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).header("Accept", accept).GET();
            if (authorization != null && sameOrigin(origin, uri)) {
                b.header("Authorization", authorization);
            }
            if (range != null) {
                b.header("Range", range);
            }
            HttpResponse<T> r = send(b.build(), body, ref);
            int code = r.statusCode();
            if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
                return r;
            }
            close(r);
            String location = r.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException("registry " + ref.registry() + " redirected without a Location"));
            URI next;
            try {
                next = uri.resolve(location);
            } catch (IllegalArgumentException e) {
                next = null;
            }
            if (!httpUrl(next)) {
                throw new IOException("registry " + ref.registry() + " redirected to '" + location + "', which is not an http(s) URL");
            }
            if ("https".equals(uri.getScheme()) && !"https".equals(next.getScheme())) {
                throw new IOException("registry " + ref.registry() + " redirected from https to " + next.getScheme());
            }
            uri = next;
        }
        throw new IOException("registry " + ref.registry() + " redirected more than " + MAX_REDIRECTS + " times");
    }

    /** Whether {@code u} is an absolute http or https URL with a host: what the HTTP client can ask. */
    private static boolean httpUrl(URI u) {
        return u != null && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) && u.getHost() != null;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private static void close(HttpResponse<?> r) throws IOException {
        if (r.body() instanceof InputStream s) {
            s.close();
        }
    }

    private String token(String challenge, ImageRef ref, Credentials creds) throws IOException {
        Matcher m = PARAM.matcher(challenge);
        Map<String, String> p = new HashMap<>();
        while (m.find()) {
            p.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = p.get("realm");
        if (realm == null) {
            throw new IOException("registry " + ref.registry() + " sent a Bearer challenge without a realm");
        }
        String scope = p.getOrDefault("scope", "repository:" + ref.repository() + ":pull");
        String q = (realm.contains("?") ? "&" : "?") + "scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
                + (p.containsKey("service") ? "&service=" + URLEncoder.encode(p.get("service"), StandardCharsets.UTF_8) : "");
        URI uri;
        try {
            uri = URI.create(realm + q);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (!httpUrl(uri)) {
            throw new IOException("registry " + ref.registry() + " names a token service that is not a URL: " + realm);
        }
        if (creds != null && !"https".equals(uri.getScheme()) && !insecure.contains(ref.registry())) {
            throw new IOException("registry " + ref.registry() + " wants the credentials sent to " + uri.getScheme() + "://"
                    + uri.getAuthority() + " without TLS; list it as insecure to allow that");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (creds != null) {
            b.header("Authorization", creds.basic());
        }
        HttpResponse<byte[]> r = send(b.build(), HttpResponse.BodyHandlers.ofByteArray(), ref);
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw refused(ref, creds);
        }
        if (r.statusCode() != 200) {
            throw new IOException("token service of " + ref.registry() + " answered " + r.statusCode());
        }
        JsonNode t;
        try {
            t = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IOException("token service of " + ref.registry() + " answered something that is not JSON");
        }
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
            throw new UnreachableException("cannot reach registry " + ref.registry() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /** The registry (or its storage) could not be reached or broke the connection before answering. */
    private static final class UnreachableException extends IOException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
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
