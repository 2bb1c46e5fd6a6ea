package io.shoal.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The node's images. Each layer is downloaded and unpacked once per digest, under
 * {@code layers/<hex>} (marked complete by {@code layers/<hex>.done}), and shared by every image
 * and container; concurrent pulls of one layer wait for the first. Each layer's diff id is checked
 * against the image config. Layout: {@code blobs/} (downloads in flight), {@code layers/},
 * {@code configs/<hex>.json}.
 */
public final class ImageStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final RegistryClient registry;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public ImageStore(Path root, Set<String> insecureRegistries) throws IOException {
        this.root = root;
        this.registry = new RegistryClient(insecureRegistries);
        Files.createDirectories(root.resolve("blobs"));
        Files.createDirectories(root.resolve("layers"));
        Files.createDirectories(root.resolve("configs"));
    }

    /** Pulls (or finds) the image, unpacking any layer not yet here. */
    public Image pull(String reference) throws IOException {
        ImageRef ref;
        try {
            ref = ImageRef.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        RegistryClient.Manifest m = registry.manifest(ref);
        JsonNode config = config(ref, m.json().path("config").path("digest").asText());
        JsonNode diffIds = config.path("rootfs").path("diff_ids");
        JsonNode layers = m.json().path("layers");
        if (diffIds.size() != layers.size()) {
            throw new IOException("image " + ref + " has " + layers.size() + " layers but its config lists " + diffIds.size());
        }
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            dirs.add(layer(ref, layers.get(i).path("digest").asText(), diffIds.get(i).asText()));
        }
        JsonNode c = config.path("config");
        return new Image(reference, m.digest(), dirs, strings(c.path("Entrypoint")), strings(c.path("Cmd")),
                strings(c.path("Env")), c.path("WorkingDir").asText(""), c.path("User").asText(""));
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private JsonNode config(ImageRef ref, String digest) throws IOException {
        Path file = root.resolve("configs").resolve(hex(digest) + ".json");
        if (!Files.exists(file)) {
            withLock(digest, () -> {
                if (!Files.exists(file)) {
                    registry.blob(ref, digest, file);
                }
                return null;
            });
        }
        return JSON.readTree(file.toFile());
    }

    private Path layer(ImageRef ref, String digest, String diffId) throws IOException {
        Path dir = root.resolve("layers").resolve(hex(digest));
        Path done = root.resolve("layers").resolve(hex(digest) + ".done");
        if (Files.exists(done)) {
            return dir;
        }
        return withLock(digest, () -> {
            if (Files.exists(done)) {
                return dir;
            }
            Path blob = root.resolve("blobs").resolve(hex(digest));
            try {
                registry.blob(ref, digest, blob);
                io.shoal.worker.fs.Trees.delete(dir);
                String got = LayerUnpacker.unpack(blob, dir);
                if (!got.equals(diffId)) {
                    io.shoal.worker.fs.Trees.delete(dir);
                    throw new IOException("layer " + digest + " of " + ref + " unpacks to " + got + ", not the diff id " + diffId);
                }
                Files.writeString(done, diffId);
                return dir;
            } catch (IOException e) {
                io.shoal.worker.fs.Trees.delete(dir);
                throw e;
            } finally {
                Files.deleteIfExists(blob);
            }
        });
    }

    /** Number of unpacked layers kept (for tests and pruning). */
    public long layerCount() throws IOException {
        try (var s = Files.list(root.resolve("layers"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".done")).count();
        }
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private <T> T withLock(String digest, IoCall<T> c) throws IOException {
        ReentrantLock l = locks.computeIfAbsent(digest, d -> new ReentrantLock());
        l.lock();
        try {
            return c.call();
        } finally {
            l.unlock();
        }
    }

    private static String hex(String digest) throws IOException {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IOException("unsupported digest '" + digest + "'");
        }
        return digest.substring(7);
    }
}
