package io.shoal.worker.image;

import io.shoal.api.Platform;
import io.shoal.api.RemoteImage;
import io.shoal.distribution.ImageRef;
import io.shoal.worker.image.TestRegistry.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageStoreTest {
    @TempDir
    Path dir;
    TestRegistry registry;
    ImageStore store;

    @BeforeEach
    void start() throws IOException {
        registry = new TestRegistry();
        store = new ImageStore(dir, Set.of(registry.host()));
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static List<Entry> base() {
        return List.of(Entry.dir("etc"), Entry.file("etc/os-release", "base"), Entry.dir("data"), Entry.file("data/old", "x"),
                Entry.file("etc/gone", "will be whited out"));
    }

    @Test
    void pullsUnpacksAndConvertsWhiteouts() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "whiteouts need mknod and trusted xattrs (root)");
        registry.push("app", "v1", List.of("/bin/sh"), List.of(base(),
                List.of(Entry.dir("etc"), Entry.file("etc/.wh.gone", ""), Entry.dir("data"), Entry.file("data/.wh..wh..opq", ""),
                        Entry.file("data/new", "y"))));
        Image img = store.pull(registry.host() + "/app:v1");
        assertEquals(2, img.layers().size());
        assertEquals(List.of("/bin/sh"), img.cmd());
        assertEquals("base", Files.readString(img.layers().get(0).resolve("etc/os-release")));
        Path gone = img.layers().get(1).resolve("etc/gone");
        assertTrue(Files.exists(gone, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(gone, LinkOption.NOFOLLOW_LINKS),
                "a whiteout is a character device");
        assertEquals(0L, ((Number) Files.getAttribute(gone, "unix:rdev", LinkOption.NOFOLLOW_LINKS)).longValue());
        assertFalse(Files.exists(img.layers().get(1).resolve("etc/.wh.gone")));
        assertEquals("y", xattr(img.layers().get(1).resolve("data")), "the opaque marker became an overlay xattr");
    }

    private static String xattr(Path p) throws Exception {
        Process proc = new ProcessBuilder("getfattr", "--absolute-names", "--only-values", "-n", "trusted.overlay.opaque", p.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        proc.waitFor();
        String out = new String(proc.getInputStream().readAllBytes()).strip();

        return out;
    }

    @Test
    void aCorruptedBlobIsRefusedAndLeavesNothing() throws Exception {
        registry.push("app", "v1", List.of("/bin/sh"), List.of(base()));
        String layer = registry.blobs.keySet().stream().filter(d -> registry.blobs.get(d)[0] == 0x1f).findFirst().orElseThrow();
        registry.corruptDigest = layer;
        IOException e = assertThrows(IOException.class, () -> store.pull(registry.host() + "/app:v1"));
        assertTrue(e.getMessage().contains("blob digest mismatch"), e.getMessage());
        assertEquals(0, store.layerCount());
        try (var s = Files.list(dir.resolve("blobs"))) {
            assertEquals(0, s.count(), "no partial download kept");
        }
    }

    @Test
    void pathTraversalInALayerIsRefused() throws Exception {
        registry.push("evil", "v1", List.of("/bin/sh"), List.of(List.of(Entry.file("../../escape", "x"))));
        IOException e = assertThrows(IOException.class, () -> store.pull(registry.host() + "/evil:v1"));
        assertTrue(e.getMessage().contains("escapes the layer root"), e.getMessage());
        assertFalse(Files.exists(dir.getParent().resolve("escape")));
        registry.push("evil2", "v1", List.of("/bin/sh"), List.of(List.of(Entry.symlink("etc", "/etc"), Entry.file("etc/owned", "x"))));
        IOException e2 = assertThrows(IOException.class, () -> store.pull(registry.host() + "/evil2:v1"));
        assertTrue(e2.getMessage().contains("through the symbolic link"), e2.getMessage());
        assertFalse(Files.exists(Path.of("/etc/owned")));
        assertEquals(0, store.layerCount());
    }

    @Test
    void imagesShareLayersAndConcurrentPullsDownloadOnce() throws Exception {
        List<Entry> shared = base();
        registry.push("a", "v1", List.of("/bin/a"), List.of(shared, List.of(Entry.file("a", "a"))));
        registry.push("b", "v1", List.of("/bin/b"), List.of(shared, List.of(Entry.file("b", "b"))));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Image>> f = new ArrayList<>();
            for (String r : List.of("a", "b", "a", "b")) {
                f.add(pool.submit((Callable<Image>) () -> store.pull(registry.host() + "/" + r + ":v1")));
            }
            for (Future<Image> x : f) {
                x.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(3, store.layerCount(), "the shared base layer is stored once");
        String base = TestRegistry.digest(TestRegistry.gzip(TestRegistry.tar(shared)));
        assertEquals(1, registry.blobHits.get(base).get(), "and downloaded once");
    }

    @Test
    void overlappingPullsOfOneReferenceAskTheRegistryOnce() throws Exception {
        List<Entry> layer = base();
        registry.push("c", "v1", List.of("/bin/c"), List.of(layer));
        registry.holdDigest = TestRegistry.digest(TestRegistry.gzip(TestRegistry.tar(layer)));
        String ref = registry.host() + "/c:v1";
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Image> first = pool.submit(() -> store.pull(ref));
            registry.held.await(); // the first pull is downloading the layer: it has read the manifest
            List<Future<Image>> later = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                later.add(pool.submit(() -> store.pull(ref)));
            }
            while (store.joined(ref) < 4) {
                Thread.sleep(1); // until the four have joined the pull under way
            }
            registry.release.countDown();
            Image img = first.get();
            for (Future<Image> f : later) {
                assertEquals(img, f.get());
            }
        }
        assertEquals(1, registry.manifestHits.get(), "five overlapping pulls, one manifest request");
        store.pull(ref);
        assertEquals(2, registry.manifestHits.get(), "a pull after them resolves the tag again");
    }

    @Test
    void aPullOfAnImageAlreadyHereWritesNoRecordButAMovedTagDoes() throws Exception {
        registry.push("r", "v1", List.of("/bin/r"), List.of(base()));
        String ref = registry.host() + "/r:v1";
        Image first = store.pull(ref);
        Path record;
        try (var files = Files.list(dir.resolve("images"))) {
            record = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        Files.setLastModifiedTime(record, FileTime.fromMillis(1_000));
        assertEquals(first, store.pull(ref));
        assertEquals(1_000, Files.getLastModifiedTime(record).toMillis(), "the same image: its record is not written again");
        registry.push("r", "v1", List.of("/bin/r2"), List.of(base(), List.of(Entry.file("moved", "1"))));
        Image moved = store.pull(ref);
        assertEquals(2, moved.layers().size());
        assertTrue(Files.readString(record).contains(moved.manifestDigest()), "the tag moved: its record names the new manifest");
    }

    @Test
    void zstdLayersAreUnpackedAndTheirDiffIdChecked() throws Exception {
        TestRegistry.Layer top = TestRegistry.Layer.zstd(List.of(Entry.dir("srv"), Entry.file("srv/hello", "from zstd")));
        assertEquals(0x28, top.blob()[0] & 0xff, "the test layer really is zstd");
        registry.pushLayers("zst", "v1", List.of("/bin/sh"), List.of(TestRegistry.Layer.gzip(base()), top));
        Image img = store.pull(registry.host() + "/zst:v1");
        assertEquals("from zstd", Files.readString(img.layers().get(1).resolve("srv/hello")));
        assertEquals("base", Files.readString(img.layers().get(0).resolve("etc/os-release")));

        TestRegistry.Layer lying = TestRegistry.Layer.zstd(List.of(Entry.file("other", "z")))
                .withDiffId(TestRegistry.digest("not this tar".getBytes()));
        registry.pushLayers("zst-bad", "v1", List.of("/bin/sh"), List.of(lying));
        IOException e = assertThrows(IOException.class, () -> store.pull(registry.host() + "/zst-bad:v1"));
        assertTrue(e.getMessage().contains("not the diff id"), e.getMessage());
        assertEquals(2, store.layerCount(), "the refused layer is not kept");
    }

    @Test
    void tokenAuthIsFollowed() throws Exception {
        registry.requireToken = true;
        registry.push("app", "v1", List.of("/bin/sh"), List.of(base()));
        assertEquals(1, store.pull(registry.host() + "/app:v1").layers().size());
    }

    @Test
    void describeNamesTheManifestAndItsPlatformWithoutPullingALayer() throws Exception {
        registry.requireToken = true;
        String digest = registry.pushLayers("app", "v1", List.of("/bin/sh"), List.of(TestRegistry.Layer.gzip(base())));
        RemoteImage r = store.describe(registry.host() + "/app:v1", null);
        byte[] manifest = registry.manifests.get("app:v1");
        assertEquals(RemoteImage.newBuilder().setMediaType("application/vnd.oci.image.manifest.v1+json").setDigest(digest)
                .setSizeBytes(manifest.length).addPlatforms(Platform.newBuilder().setOs("linux").setArchitecture("amd64")).build(), r);
        assertTrue(registry.blobHits.keySet().stream().allMatch(d -> registry.blobs.get(d)[0] == '{'), "only the config was fetched");
        assertEquals(0, dir.resolve("layers").toFile().list().length, "nothing was stored");
        assertEquals(digest, store.describe(registry.host() + "/app@" + digest, null).getDigest());
    }

    @Test
    void describeOfAnIndexListsItsPlatformsButNotItsAttestations() throws Exception {
        String amd = registry.pushLayers("app", "amd", List.of("/bin/sh"), List.of(TestRegistry.Layer.gzip(base())));
        String index = """
                {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
                  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": 1, "platform": {"os": "linux", "architecture": "amd64"}},
                  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": 1, "platform": {"os": "linux", "architecture": "arm64"}},
                  {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "%s", "size": 1, "platform": {"os": "unknown", "architecture": "unknown"}}
                ]}""".formatted(amd, amd, amd);
        registry.manifests.put("app:multi", index.getBytes(StandardCharsets.UTF_8));
        RemoteImage r = store.describe(registry.host() + "/app:multi", null);
        assertEquals("application/vnd.oci.image.index.v1+json", r.getMediaType());
        assertEquals(TestRegistry.digest(index.getBytes(StandardCharsets.UTF_8)), r.getDigest());
        assertEquals(List.of("linux/amd64", "linux/arm64"), r.getPlatformsList().stream().map(p -> p.getOs() + "/" + p.getArchitecture()).toList());
        assertTrue(registry.blobHits.isEmpty(), "an index needs no blob");
        assertTrue(assertThrows(IOException.class, () -> store.describe(registry.host() + "/nothere:v1", null)).getMessage().contains("not found"));
    }

    @Test
    void errorsSayWhatIsWrong() throws Exception {
        assertTrue(assertThrows(IOException.class, () -> store.pull(registry.host() + "/nothere:v1")).getMessage()
                .contains("not found"));
        assertTrue(assertThrows(IOException.class, () -> store.pull("Bad Image")).getMessage().contains("invalid image reference"));
        ImageStore unreachable = new ImageStore(dir.resolve("u"), Set.of("127.0.0.1:1"));
        assertTrue(assertThrows(IOException.class, () -> unreachable.pull("127.0.0.1:1/app:v1")).getMessage()
                .startsWith("cannot reach registry 127.0.0.1:1"));
    }

    @Test
    void referencesParseLikeDockers() {
        assertEquals(new ImageRef(ImageRef.DOCKER_HUB, "library/busybox", "latest", ""), ImageRef.parse("busybox"));
        assertEquals(new ImageRef("localhost:5000", "team/app", "1.2", ""), ImageRef.parse("localhost:5000/team/app:1.2"));
        String d = "sha256:" + "a".repeat(64);
        assertEquals(new ImageRef("reg.example", "app", "", d), ImageRef.parse("reg.example/app@" + d));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("UPPER/case"));
        assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("app@sha256:short"));
    }
}
