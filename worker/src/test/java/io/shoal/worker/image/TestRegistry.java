package io.shoal.worker.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A small OCI distribution server on loopback for unit tests: serves images built in the test,
 * counts blob downloads, can demand a Bearer token (anonymous, or issued only for the right Basic
 * credentials) or Basic credentials, can redirect blobs to a separate "storage" server, can hold
 * one blob until the test releases it, can corrupt a blob on purpose, can cut blob downloads
 * half-way or answer 503 a number of times, serves Range requests (206), and publishes image
 * indexes of several platforms.
 */
final class TestRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final HttpServer server;
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> blobHits = new ConcurrentHashMap<>();
    /** How many manifest requests were answered (any reference). */
    final AtomicInteger manifestHits = new AtomicInteger();
    volatile boolean requireToken;
    volatile String corruptDigest = "";
    /** When set, pulls need these credentials: as Basic on every request if {@link #basicAuth}, else to get a token. */
    volatile String user;
    volatile String password;
    volatile boolean basicAuth;
    /** The Authorization header (or "none") of each token request and of each request the storage server got. */
    final List<String> tokenAuthorization = new CopyOnWriteArrayList<>();
    final List<String> storageAuthorization = new CopyOnWriteArrayList<>();
    volatile boolean redirectBlobs;
    /** The download of this digest waits, after {@link #held} counts down, until {@link #release} does. */
    volatile String holdDigest = "";
    final CountDownLatch held = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final HttpServer storage;
    /** The next this many blob downloads send half the body and then drop the connection. */
    final AtomicInteger cutBlobs = new AtomicInteger();
    /** The next this many blob requests are answered 503. */
    final AtomicInteger unavailableBlobs = new AtomicInteger();
    /** The Range header (or "none") of each blob request, in order. */
    final List<String> blobRanges = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    TestRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::handle);
        server.setExecutor(threads);
        server.start();
        storage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        storage.createContext("/storage/", x -> {
            storageAuthorization.add(authorization(x));
            serveBlob(x, x.getRequestURI().getPath().substring("/storage/".length()));
        });
        storage.setExecutor(threads);
        storage.start();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String authorization(HttpExchange x) {
        String a = x.getRequestHeaders().getFirst("Authorization");
        return a == null ? "none" : a;
    }

    private void token(HttpExchange x) throws IOException {
        tokenAuthorization.add(authorization(x));
        if (user != null && !basic(user, password).equals(authorization(x))) {
            reply(x, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes(), "application/json");
            return;
        }
        reply(x, 200, "{\"token\":\"secret-token\"}".getBytes(), "application/json");
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        if (user != null && basicAuth) {
            if (!basic(user, password).equals(authorization(x))) {
                x.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test registry\"");
                reply(x, 401, new byte[0], "text/plain");
                return;
            }
        } else if ((requireToken || user != null) && !"Bearer secret-token".equals(authorization(x))) {
            x.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host() + "/token\",service=\"test\"");
            reply(x, 401, new byte[0], "text/plain");
            return;
        }
        String path = x.getRequestURI().getPath();
        int m = path.indexOf("/manifests/");
        int b = path.indexOf("/blobs/");
        if (m > 0) {
            manifestHits.incrementAndGet();
            byte[] body = manifests.get(path.substring(4, m) + ":" + path.substring(m + 11));
            if (body == null) {
                reply(x, 404, "{}".getBytes(), "application/json");
            } else {
                reply(x, 200, body, JSON.readTree(body).path("mediaType").asText());
            }
        } else if (b > 0) {
            String digest = path.substring(b + 7);
            if (redirectBlobs) {
                x.getResponseHeaders().add("Location", "http://127.0.0.1:" + storage.getAddress().getPort() + "/storage/" + digest);
                reply(x, 307, new byte[0], "text/plain");
            } else {
                serveBlob(x, digest);
            }
        } else {
            reply(x, 404, new byte[0], "text/plain");
        }
    }

    private void serveBlob(HttpExchange x, String digest) throws IOException {
        byte[] body = blobs.get(digest);
        blobHits.computeIfAbsent(digest, d -> new AtomicInteger()).incrementAndGet();
        if (digest.equals(holdDigest)) {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String range = x.getRequestHeaders().getFirst("Range");
        blobRanges.add(range == null ? "none" : range);
        if (body == null) {
            reply(x, 404, new byte[0], "text/plain");
            return;
        }
        if (unavailableBlobs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            reply(x, 503, "{\"errors\":[{\"code\":\"UNAVAILABLE\"}]}".getBytes(), "application/json");
            return;
        }
        if (digest.equals(corruptDigest)) {
            body = body.clone();
            body[body.length / 2] ^= 1;
        }
        int from = 0;
        if (range != null && range.matches("bytes=\\d+-")) {
            from = Integer.parseInt(range.substring(6, range.length() - 1));
            if (from >= body.length) {
                reply(x, 416, new byte[0], "text/plain");
                return;
            }
            x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        int code = from > 0 ? 206 : 200;
        if (cutBlobs.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            x.getResponseHeaders().add("Content-Type", "application/octet-stream");
            x.sendResponseHeaders(code, body.length - from);
            x.getResponseBody().write(body, from, (body.length - from) / 2);
            x.getResponseBody().flush();
            x.close(); // fewer bytes than announced: the server drops the connection
            return;
        }
        byte[] part = from == 0 ? body : Arrays.copyOfRange(body, from, body.length);
        reply(x, code, part, "application/octet-stream");
    }

    private static void reply(HttpExchange x, int code, byte[] body, String type) throws IOException {
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            x.getResponseBody().write(body);
        }
        x.close();
    }

    /** A file in a layer: path, content (null for a directory), mode; symlink when link != null. */
    record Entry(String path, byte[] content, int mode, String link) {
        static Entry file(String p, String content) {
            return new Entry(p, content.getBytes(), 0644, null);
        }

        static Entry dir(String p) {
            return new Entry(p, null, 0755, null);
        }

        static Entry symlink(String p, String target) {
            return new Entry(p, null, 0777, target);
        }
    }

    static byte[] tar(List<Entry> entries) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bos)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry te;
                if (e.link != null) {
                    te = new TarArchiveEntry(e.path, TarArchiveEntry.LF_SYMLINK);
                    te.setLinkName(e.link);
                } else {
                    te = new TarArchiveEntry(e.content == null ? e.path + "/" : e.path);
                    if (e.content != null) {
                        te.setSize(e.content.length);
                    }
                }
                te.setMode((e.content == null && e.link == null ? 040000 : e.link != null ? 0120000 : 0100000) | e.mode);
                te.setModTime(1_700_000_000_000L); // the same layer bytes (and digest) every time it is built
                t.putArchiveEntry(te);
                if (e.content != null) {
                    t.write(e.content);
                }
                t.closeArchiveEntry();
            }
        }
        return bos.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bos)) {
            g.write(data);
        }
        return bos.toByteArray();
    }

    static String digest(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] zstd(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZstdCompressorOutputStream z = new ZstdCompressorOutputStream(bos)) {
            z.write(data);
        }
        return bos.toByteArray();
    }

    /** One layer as published: its blob, media type, and the diff id the image config claims for it. */
    record Layer(byte[] blob, String mediaType, String diffId) {
        static Layer gzip(List<Entry> entries) throws IOException {
            byte[] plain = tar(entries);
            return new Layer(TestRegistry.gzip(plain), "application/vnd.oci.image.layer.v1.tar+gzip", TestRegistry.digest(plain));
        }

        static Layer zstd(List<Entry> entries) throws IOException {
            byte[] plain = tar(entries);
            return new Layer(TestRegistry.zstd(plain), "application/vnd.oci.image.layer.v1.tar+zstd", TestRegistry.digest(plain));
        }

        Layer withDiffId(String claimed) {
            return new Layer(blob, mediaType, claimed);
        }

        String digest() {
            return TestRegistry.digest(blob);
        }
    }

    /** Publishes an image made of these layers (each a list of entries, gzip-compressed) under repo:tag. */
    void push(String repo, String tag, List<String> cmd, List<List<Entry>> layers) throws IOException {
        List<Layer> ls = new ArrayList<>();
        for (List<Entry> l : layers) {
            ls.add(Layer.gzip(l));
        }
        pushLayers(repo, tag, cmd, ls);
    }

    /** Publishes an image made of these layers under repo:tag; returns the manifest digest. */
    String pushLayers(String repo, String tag, List<String> cmd, List<Layer> layers) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "amd64").put("os", "linux");
        ObjectNode c = config.putObject("config");
        ArrayNode cmdNode = c.putArray("Cmd");
        cmd.forEach(cmdNode::add);
        c.putArray("Env").add("PATH=/bin");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        ArrayNode ls = manifest.putArray("layers");
        for (Layer l : layers) {
            diffIds.add(l.diffId());
            blobs.put(l.digest(), l.blob());
            ls.addObject().put("mediaType", l.mediaType()).put("digest", l.digest()).put("size", l.blob().length);
        }
        byte[] cfg = JSON.writeValueAsBytes(config);
        blobs.put(digest(cfg), cfg);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", digest(cfg)).put("size", cfg.length);
        byte[] m = JSON.writeValueAsBytes(manifest);
        manifests.put(repo + ":" + tag, m);
        manifests.put(repo + ":" + digest(m), m);
        return digest(m);
    }

    /**
     * Publishes an image index under repo:tag whose entries are the manifests (already pushed) given
     * by digest, each with its platform as "os/architecture[/variant]"; returns the index digest.
     */
    String pushIndex(String repo, String tag, Map<String, String> manifestByPlatform) throws IOException {
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.index.v1+json");
        ArrayNode ms = index.putArray("manifests");
        for (Map.Entry<String, String> e : manifestByPlatform.entrySet()) {
            byte[] m = manifests.get(repo + ":" + e.getValue());
            String[] p = e.getKey().split("/");
            ObjectNode d = ms.addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                    .put("digest", e.getValue()).put("size", m.length);
            ObjectNode platform = d.putObject("platform").put("os", p[0]).put("architecture", p[1]);
            if (p.length > 2) {
                platform.put("variant", p[2]);
            }
        }
        byte[] body = JSON.writeValueAsBytes(index);
        manifests.put(repo + ":" + tag, body);
        manifests.put(repo + ":" + digest(body), body);
        return digest(body);
    }

    /** Layer entries for a minimal busybox root. */
    static List<Entry> busyboxLayer() throws IOException {
        byte[] bb = Files.readAllBytes(Path.of("/usr/bin/busybox"));
        List<Entry> l = new ArrayList<>(List.of(Entry.dir("bin"), new Entry("bin/busybox", bb, 0755, null),
                Entry.dir("etc"), Entry.file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"), Entry.dir("tmp")));
        for (String c : List.of("sh", "echo", "cat", "ls", "sleep", "true")) {
            l.add(Entry.symlink("bin/" + c, "busybox"));
        }
        return l;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        storage.stop(0);
        threads.shutdownNow();
    }
}
