package io.shoal.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.shoal.worker.image.TestRegistry.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes image pulls against a registry on loopback that answers garbage: mutated manifests and
 * configs (JSON values replaced by wrong types, huge or negative numbers, missing fields), layers of
 * random or mutated bytes, tar entries that climb out of the layer ("../", absolute paths),
 * whose digests are made to match so the parsers behind the digest checks are reached too, and
 * odd HTTP answers (random codes, redirects to nowhere, challenges without a realm).
 * Properties: a pull returns an image or throws IOException with a one-line message, within a
 * deadline; nothing is written outside the store; a valid pull still works afterwards.
 * {@code -Dshoal.fuzz.runs} and {@code -Dshoal.fuzz.seed} size and replay the run.
 */
class GarbageRegistryFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40) * 10;
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @TempDir
    Path dir;
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    volatile byte[] manifest;
    volatile int forcedCode;
    volatile String forcedHeader = "";

    void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        byte[] body;
        int code = 200;
        if (forcedCode != 0) {
            code = forcedCode;
            body = new byte[0];
            if (!forcedHeader.isEmpty()) {
                String[] h = forcedHeader.split(": ", 2);
                x.getResponseHeaders().add(h[0], h.length > 1 ? h[1] : "");
            }
        } else if (path.contains("/manifests/")) {
            body = manifest;
            x.getResponseHeaders().add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
        } else if (path.contains("/blobs/")) {
            body = blobs.get(path.substring(path.indexOf("/blobs/") + 7));
            if (body == null) {
                code = 404;
                body = new byte[0];
            }
        } else {
            code = 404;
            body = new byte[0];
        }
        x.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    record Served(byte[] manifest, Map<String, byte[]> blobs) {}

    /** An image of one layer whose digests all match, made of these tar bytes (gzipped unless raw). */
    static Served image(byte[] tar, boolean gzip, JsonNode configPatch) throws IOException {
        byte[] layer = gzip ? TestRegistry.gzip(tar) : tar;
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        config.putObject("config").putArray("Cmd").add("/bin/sh");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        rootfs.putArray("diff_ids").add(TestRegistry.digest(tar));
        if (configPatch != null) {
            config.set("config", configPatch);
        }
        byte[] cfg = JSON.writeValueAsBytes(config);
        ObjectNode m = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        m.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", TestRegistry.digest(cfg)).put("size", cfg.length);
        m.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar" + (gzip ? "+gzip" : ""))
                .put("digest", TestRegistry.digest(layer)).put("size", layer.length);
        return new Served(JSON.writeValueAsBytes(m), Map.of(TestRegistry.digest(cfg), cfg, TestRegistry.digest(layer), layer));
    }

    static byte[] validTar() throws IOException {
        return TestRegistry.tar(List.of(Entry.dir("d"), Entry.file("d/a", "x"), Entry.symlink("l", "d/a")));
    }

    static JsonNode randomValue(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.numberNode(List.of(-1L, 0L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40).get(r.nextInt(5)));
            case 2 -> NODES.textNode(List.of("", "sha256:", "sha256:zz", "../../x", "sha512:" + "a".repeat(128), "x".repeat(10_000)).get(r.nextInt(6)));
            case 3 -> NODES.arrayNode();
            case 4 -> NODES.objectNode();
            case 5 -> NODES.arrayNode().add(NODES.objectNode()).add(NODES.nullNode());
            case 6 -> NODES.booleanNode(r.nextBoolean());
            case 7 -> NODES.numberNode(1e300);
            default -> NODES.textNode("sha256:" + "0".repeat(64));
        };
    }

    /** Replaces one value somewhere in the tree (or removes a field) and returns the new tree. */
    static JsonNode mutateJson(Random r, JsonNode root) {
        JsonNode copy = root.deepCopy();
        List<JsonNode> containers = new ArrayList<>();
        collect(copy, containers);
        JsonNode c = containers.get(r.nextInt(containers.size()));
        if (c instanceof ObjectNode o && !o.isEmpty()) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            String name = names.get(r.nextInt(names.size()));
            if (r.nextInt(4) == 0) {
                o.remove(name);
            } else {
                o.set(name, randomValue(r));
            }
        } else if (c instanceof ArrayNode a) {
            if (!a.isEmpty() && r.nextBoolean()) {
                a.set(r.nextInt(a.size()), randomValue(r));
            } else {
                a.add(randomValue(r));
            }
        }
        return copy;
    }

    static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) {
            out.add(n);
            n.forEach(child -> collect(child, out));
        }
    }

    static byte[] flip(Random r, byte[] b) {
        byte[] out = b.clone();
        for (int n = 1 + r.nextInt(8); n > 0; n--) {
            out[r.nextInt(out.length)] ^= (byte) (1 << r.nextInt(8));
        }
        return r.nextInt(4) == 0 ? Arrays.copyOf(out, r.nextInt(out.length)) : out;
    }

    void serve(Random r, int i) throws IOException {
        forcedCode = 0;
        blobs.clear();
        Served image = switch (i % 7) {
            case 0 -> image(flip(r, validTar()), true, null);
            case 1 -> image(flip(r, validTar()), false, null);
            case 2 -> {
                Served valid = image(validTar(), true, null);
                yield new Served(flip(r, TestRegistry.gzip(validTar())), valid.blobs());
            }
            case 3 -> image(TestRegistry.tar(List.of(Entry.file(List.of("../../escape", "/tmp/shoal-fuzz-escape",
                    "d/../../escape", "./../escape").get(r.nextInt(4)), "x"))), true, null);
            case 4 -> image(TestRegistry.tar(List.of(Entry.symlink("up", "../../.."), Entry.file("up/escape", "x"))), true, null);
            case 5 -> image(validTar(), true, mutateJson(r, JSON.createObjectNode().set("Cmd", NODES.arrayNode().add("sh"))));
            default -> image(validTar(), r.nextBoolean(), null);
        };
        manifest = image.manifest();
        blobs.putAll(image.blobs());
        if (i % 7 == 6) {
            JsonNode m = mutateJson(r, JSON.readTree(image.manifest()));
            manifest = r.nextInt(5) == 0 ? flip(r, JSON.writeValueAsBytes(m)) : JSON.writeValueAsBytes(m);
        }
        if (r.nextInt(10) == 0) {
            forcedCode = List.of(200, 204, 301, 302, 307, 400, 401, 403, 418, 999).get(r.nextInt(10));
            forcedHeader = List.of("", "Location: ::", "Location: /v2/elsewhere", "WWW-Authenticate: Bearer",
                    "WWW-Authenticate: Bearer realm=\"\"", "WWW-Authenticate: Basic", "WWW-Authenticate: ,,,",
                    "Content-Type: ").get(r.nextInt(8));
        }
    }

    @Test
    void pullsFromARegistryThatAnswersGarbage() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        server.start();
        String host = "127.0.0.1:" + server.getAddress().getPort();
        Path root = dir.resolve("store");
        ImageStore store = new ImageStore(root, Set.of(host));
        Random r = new Random(SEED);
        List<String> findings = new ArrayList<>();
        int pulled = 0;
        ExecutorService runner = Executors.newSingleThreadExecutor();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < RUNS; i++) {
                serve(r, i);
                String ref = host + "/fz:t" + i;
                Future<?> pull = runner.submit(() -> store.pull(ref));
                try {
                    pull.get(60, TimeUnit.SECONDS);
                    pulled++;
                } catch (TimeoutException e) {
                    pull.cancel(true);
                    findings.add("input " + i + ": no answer in 60 s");
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (!(c instanceof IOException) || c.getMessage() == null || c.getMessage().isBlank()
                            || c.getMessage().contains("\n")) {
                        findings.add("input " + i + ": " + c);
                    }
                }
                try (var files = Files.list(dir)) {
                    List<Path> outside = files.filter(p -> !p.equals(root)).toList();
                    if (!outside.isEmpty() || Files.exists(Path.of("/tmp/shoal-fuzz-escape"))) {
                        findings.add("input " + i + ": wrote outside the store: " + outside);
                    }
                }
                if (i % 20 == 19) {
                    forcedCode = 0;
                    Served valid = image(validTar(), true, null);
                    manifest = valid.manifest();
                    blobs.putAll(valid.blobs());
                    assertEquals("x", Files.readString(store.pull(host + "/fz:valid" + i).layers().get(0).resolve("d/a")),
                            "a valid pull after garbage");
                }
            }
        } finally {
            runner.shutdownNow();
            server.stop(0);
            threads.shutdownNow();
        }
        System.out.printf("fuzz registry answers: %d executions in %.1f s, %d pulled, %d findings%n", RUNS,
                (System.nanoTime() - started) / 1e9, pulled, findings.size());
        findings.forEach(f -> System.out.println("  finding: " + f));
        assertTrue(findings.isEmpty(), findings.size() + " findings, the first: " + (findings.isEmpty() ? "" : findings.get(0)));
    }

    @Test
    void aRedirectOrATokenRealmThatIsNoUrlIsAClearError() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        try {
            String host = "127.0.0.1:" + server.getAddress().getPort();
            ImageStore store = new ImageStore(dir.resolve("store"), Set.of(host));
            forcedCode = 302;
            forcedHeader = "Location: ::";
            IOException redirect = assertThrows(IOException.class, () -> store.pull(host + "/fz:a"));
            assertTrue(redirect.getMessage().contains("redirected to '::', which is not an http(s) URL"), redirect.getMessage());
            forcedCode = 401;
            forcedHeader = "WWW-Authenticate: Bearer realm=\"\"";
            IOException realm = assertThrows(IOException.class, () -> store.pull(host + "/fz:b"));
            assertTrue(realm.getMessage().contains("names a token service that is not a URL"), realm.getMessage());
        } finally {
            server.stop(0);
        }
    }
}
