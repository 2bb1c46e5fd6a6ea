package io.shoal.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.api.HealthConfig;
import io.shoal.api.RemoteImage;
import io.shoal.distribution.Credentials;
import io.shoal.distribution.DockerConfig;
import io.shoal.distribution.ImageRef;
import io.shoal.worker.fs.Trees;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The node's images. Each layer is downloaded and unpacked once per digest, under
 * {@code layers/<hex>} (marked complete by {@code layers/<hex>.done}, which holds its diff id and
 * size), and shared by every image and container; concurrent pulls of one layer wait for the first.
 * Each layer's diff id is checked against the image config. Layout: {@code blobs/} (downloads in
 * flight), {@code layers/}, {@code configs/<hex>.json}, {@code images/} (which reference holds
 * which layers, see {@link Catalog}).
 *
 * <p>Registry credentials come from the pull's caller (a service spec) or else from a docker-style
 * {@code config.json} given to the constructor. Unused images are removed by {@link #prune}, which
 * takes the same per-digest locks as pulls, so it never deletes a layer a pull is using.
 *
 * <p>Pulls of one reference with the same credentials that overlap share one resolution: the 50
 * tasks of a new service that reach a node at once ask the registry for the manifest once, not 50
 * times (each pull still resolves a tag when it starts, as Docker's worker does per task).
 */
public final class ImageStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEX = "[0-9a-f]{64}";

    private final Path root;
    private final RegistryClient registry;
    private final DockerConfig dockerConfig;
    private final Catalog catalog;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** the pulls under way, by reference and explicit credentials; later callers wait for their result */
    private final Map<PullKey, Flight> flights = new ConcurrentHashMap<>();

    private record PullKey(String reference, Credentials explicit) {}

    /** One pull under way and how many callers joined it. */
    private static final class Flight {
        final CompletableFuture<Image> result = new CompletableFuture<>();
        final AtomicInteger joined = new AtomicInteger();
    }

    /** A store without a docker config.json: pulls are anonymous unless the caller gives credentials. */
    public ImageStore(Path root, Set<String> insecureRegistries) throws IOException {
        this(root, insecureRegistries, null);
    }

    /**
     * @param dockerConfig a docker-style {@code config.json} to take registry credentials from when a
     *     pull is given none; it may be null or not exist (then such pulls are anonymous), and is read
     *     on every pull, so a later {@code docker login} counts.
     */
    public ImageStore(Path root, Set<String> insecureRegistries, Path dockerConfig) throws IOException {
        this.root = root;
        this.registry = new RegistryClient(insecureRegistries);
        this.dockerConfig = new DockerConfig(dockerConfig);
        Files.createDirectories(root.resolve("blobs"));
        Files.createDirectories(root.resolve("layers"));
        Files.createDirectories(root.resolve("configs"));
        this.catalog = new Catalog(root.resolve("images"));
    }

    /** Pulls (or finds) the image, unpacking any layer not yet here; credentials from the config.json, if any. */
    public Image pull(String reference) throws IOException {
        return pull(reference, null);
    }

    /**
     * Pulls (or finds) the image, unpacking any layer not yet here.
     *
     * @param explicit credentials from the service spec; when null, those the docker config.json
     *     holds for the image's registry, and when there are none, the pull is anonymous.
     * @throws IOException with one line for a person: e.g. that the registry refused the
     *     credentials of user X, or needs credentials and none were given.
     */
    public Image pull(String reference, Credentials explicit) throws IOException {
        PullKey key = new PullKey(reference, explicit);
        Flight mine = new Flight();
        Flight running = flights.putIfAbsent(key, mine);
        if (running != null) {
            running.joined.incrementAndGet();
            return join(running);
        }
        try {
            Image img = pullNow(reference, explicit);
            mine.result.complete(img);
            return img;
        } catch (IOException | RuntimeException e) {
            mine.result.completeExceptionally(e);
            throw e;
        } finally {
            flights.remove(key, mine);
        }
    }

    /** How many callers are waiting for the pull of {@code reference} (no credentials) under way now; for tests. */
    int joined(String reference) {
        Flight f = flights.get(new PullKey(reference, null));
        return f == null ? 0 : f.joined.get();
    }

    private static Image join(Flight f) throws IOException {
        try {
            return f.result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a pull of the same image");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw new IOException(io.getMessage(), io);
            }
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw new IllegalArgumentException(bad.getMessage(), bad);
            }
            throw new IOException("pull failed: " + e.getCause(), e.getCause());
        }
    }

    private Image pullNow(String reference, Credentials explicit) throws IOException {
        ImageRef ref;
        try {
            ref = ImageRef.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        Credentials creds = explicit != null ? explicit : dockerConfig.lookup(ref.registry()).orElse(null);
        RegistryClient.Manifest m = registry.manifest(ref, creds);
        String configDigest = m.json().path("config").path("digest").asText();
        List<String> pinned = new ArrayList<>();
        try {
            JsonNode config = config(ref, creds, configDigest, pinned);
            JsonNode diffIds = config.path("rootfs").path("diff_ids");
            JsonNode layers = m.json().path("layers");
            if (diffIds.size() != layers.size()) {
                throw new IOException("image " + ref + " has " + layers.size() + " layers but its config lists " + diffIds.size());
            }
            List<Path> dirs = new ArrayList<>();
            List<String> digests = new ArrayList<>();
            long size = 0;
            for (int i = 0; i < layers.size(); i++) {
                String digest = layers.get(i).path("digest").asText();
                Layer l = layer(ref, creds, digest, diffIds.get(i).asText(), pinned);
                dirs.add(l.dir());
                digests.add(digest);
                size += l.bytes();
            }
            catalog.record(new StoredImage(ref.toString(), m.digest(), configDigest, size, digests), pinned);
            JsonNode c = config.path("config");
            return new Image(reference, m.digest(), dirs, strings(c.path("Entrypoint")), strings(c.path("Cmd")),
                    strings(c.path("Env")), c.path("WorkingDir").asText(""), c.path("User").asText(""),
                    healthcheck(c.path("Healthcheck")));
        } finally {
            catalog.unpin(pinned); // nothing left when the image was recorded
        }
    }

    /**
     * What the image's registry holds for {@code reference}, without pulling anything: the
     * manifest or index it names and the platforms that serves. Credentials as for a pull.
     */
    public RemoteImage describe(String reference, Credentials explicit) throws IOException {
        ImageRef ref;
        try {
            ref = ImageRef.parse(reference);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        return RemoteImages.describe(registry, ref, explicit != null ? explicit : dockerConfig.lookup(ref.registry()).orElse(null));
    }

    /** An image config's Healthcheck (durations in nanoseconds, as Docker writes them). */
    static HealthConfig healthcheck(JsonNode h) {
        HealthConfig.Builder b = HealthConfig.newBuilder();
        if (h.isMissingNode() || h.isNull()) {
            return b.build();
        }
        b.addAllTest(strings(h.path("Test")));
        b.setIntervalMs(h.path("Interval").asLong(0) / 1_000_000);
        b.setTimeoutMs(h.path("Timeout").asLong(0) / 1_000_000);
        b.setStartPeriodMs(h.path("StartPeriod").asLong(0) / 1_000_000);
        b.setRetries(Math.max(0, h.path("Retries").asInt(0)));
        return b.build();
    }

    /** The images held, by reference. */
    public List<StoredImage> images() {
        return catalog.list();
    }

    /**
     * Forgets every image not in use, then deletes every unpacked layer and config that no remaining
     * image (nor a pull in progress) uses, and downloads left over by a crash.
     *
     * <p>{@code inUse} names the images the node's containers — running or not — were created from.
     * Each entry is either an image reference (any form {@link ImageRef#parse} accepts, e.g. the
     * image of a task's container spec: it keeps the image pulled under that reference, and if it
     * carries a digest, every image with that digest) or a bare {@code sha256:} digest, which keeps
     * every image whose manifest or config has that digest (what {@link Image#manifestDigest()} and
     * {@link StoredImage#configDigest()} report). Entries naming nothing held are ignored.
     *
     * <p>Safe while pulls run: a layer a pull is unpacking or has unpacked for an image it has not
     * recorded yet is kept (it holds the layer's lock or pin), and a pull that starts after its layer
     * was deleted downloads it again. Layers of images pulled before this store recorded images are
     * unknown to it: pull such images again before pruning.
     *
     * @throws IllegalArgumentException if an entry is neither a reference nor a digest (rather than
     *     guess, and delete what a container needs)
     */
    public PruneResult prune(Set<String> inUse) throws IOException {
        List<StoredImage> gone = catalog.removeUnless(usedBy(inUse));
        long[] bytes = {0};
        int layers = 0;
        int blobs = 0;
        Path layersDir = root.resolve("layers");
        for (String hex : hexNames(layersDir, ".done")) {
            Path dir = layersDir.resolve(hex);
            Path done = layersDir.resolve(hex + ".done");
            if (removeIfUnused(hex, true, () -> {
                bytes[0] += size(done) + size(dir);
                Files.deleteIfExists(done); // first: a half-deleted layer is then one to unpack again
                Trees.delete(dir);
            })) {
                layers++;
            }
        }
        Path configs = root.resolve("configs");
        for (String hex : hexNames(configs, ".json.part", ".json")) {
            Path json = configs.resolve(hex + ".json");
            Path part = configs.resolve(hex + ".json.part");
            if (Files.exists(part) && removeIfUnused(hex, false, () -> delete(part, bytes))) {
                blobs++; // a download in flight holds the lock: one found unlocked was left by a crash
            }
            if (Files.exists(json) && removeIfUnused(hex, true, () -> delete(json, bytes))) {
                blobs++;
            }
        }
        Path downloads = root.resolve("blobs");
        for (String hex : hexNames(downloads, ".part")) {
            // a download is only here while its digest is locked, so one found unlocked was left by a crash
            if (removeIfUnused(hex, false, () -> {
                delete(downloads.resolve(hex), bytes);
                delete(downloads.resolve(hex + ".part"), bytes);
            })) {
                blobs++;
            }
        }
        return new PruneResult(gone.stream().map(StoredImage::reference).toList(), layers, blobs, bytes[0]);
    }

    private static Predicate<StoredImage> usedBy(Set<String> inUse) {
        Set<String> refs = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (String s : inUse) {
            if (s != null && s.matches("sha256:" + HEX)) {
                digests.add(s);
                continue;
            }
            ImageRef r;
            try {
                r = ImageRef.parse(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot prune images: '" + s + "' in use is neither an image reference nor a digest");
            }
            refs.add(r.toString());
            if (!r.digest().isEmpty()) {
                digests.add(r.digest());
            }
        }
        return img -> refs.contains(img.reference()) || digests.contains(img.digest()) || digests.contains(img.configDigest());
    }

    /**
     * Runs {@code delete} under the digest's lock unless a pull holds that lock or ({@code checkNeeded})
     * a recorded image or a pull in progress needs the digest. Never waits for a pull.
     */
    private boolean removeIfUnused(String hex, boolean checkNeeded, IoRun delete) throws IOException {
        String digest = "sha256:" + hex;
        ReentrantLock l = locks.computeIfAbsent(digest, d -> new ReentrantLock());
        if (!l.tryLock()) {
            return false;
        }
        try {
            if (checkNeeded && catalog.needed(digest)) {
                return false;
            }
            delete.run();
            return true;
        } finally {
            l.unlock();
        }
    }

    private interface IoRun {
        void run() throws IOException;
    }

    private static void delete(Path file, long[] bytes) throws IOException {
        bytes[0] += size(file);
        Files.deleteIfExists(file);
    }

    private static long size(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long total = 0;
        Set<Object> seen = new HashSet<>(); // hard links count once
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.toList()) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile() && (a.fileKey() == null || seen.add(a.fileKey()))) {
                    total += a.size();
                }
            }
        }
        return total;
    }

    /** The digests (hex) that files in {@code dir} are named after: {@code <hex>} or {@code <hex><suffix>}. */
    private static Set<String> hexNames(Path dir, String... suffixes) throws IOException {
        Set<String> out = new TreeSet<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                for (String suffix : suffixes) {
                    if (n.endsWith(suffix)) {
                        n = n.substring(0, n.length() - suffix.length());
                        break;
                    }
                }
                if (n.matches(HEX)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private JsonNode config(ImageRef ref, Credentials creds, String digest, List<String> pinned) throws IOException {
        Path file = root.resolve("configs").resolve(hex(digest) + ".json");
        withLock(digest, () -> {
            catalog.pin(digest);
            pinned.add(digest);
            if (!Files.exists(file)) {
                registry.blob(ref, creds, digest, file);
            }
            return null;
        });
        return JSON.readTree(file.toFile());
    }

    private record Layer(Path dir, long bytes) {}

    private Layer layer(ImageRef ref, Credentials creds, String digest, String diffId, List<String> pinned) throws IOException {
        Path dir = root.resolve("layers").resolve(hex(digest));
        Path done = root.resolve("layers").resolve(hex(digest) + ".done");
        return withLock(digest, () -> {
            catalog.pin(digest);
            pinned.add(digest);
            if (Files.exists(done)) {
                String[] mark = Files.readString(done).strip().split("\\s+");
                if (mark.length > 1 && mark[1].matches("\\d+")) {
                    return new Layer(dir, Long.parseLong(mark[1]));
                }
                long bytes = size(dir); // marked by an older version, without the size
                Files.writeString(done, mark[0] + " " + bytes);
                return new Layer(dir, bytes);
            }
            Path blob = root.resolve("blobs").resolve(hex(digest));
            try {
                registry.blob(ref, creds, digest, blob);
                Trees.delete(dir);
                LayerUnpacker.Unpacked got = LayerUnpacker.unpack(blob, dir);
                if (!got.diffId().equals(diffId)) {
                    Trees.delete(dir);
                    throw new IOException("layer " + digest + " of " + ref + " unpacks to " + got.diffId() + ", not the diff id " + diffId);
                }
                Files.writeString(done, diffId + " " + got.bytes());
                return new Layer(dir, got.bytes());
            } catch (IOException e) {
                Trees.delete(dir);
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
        if (!digest.matches("sha256:" + HEX)) {
            throw new IOException("unsupported digest '" + digest + "'");
        }
        return digest.substring(7);
    }
}
