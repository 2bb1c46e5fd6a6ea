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
 * one blob until the test releases it, and can corrupt a blob on purpose.
 */
final class TestRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final HttpServer server;
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> blobHits = new ConcurrentHashMap<>();
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
        if (body == null) {
            reply(x, 404, new byte[0], "text/plain");
        } else {
            if (digest.equals(corruptDigest)) {
                body = body.clone();
                body[body.length / 2] ^= 1;
            }
            reply(x, 200, body, "application/octet-stream");
        }
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
