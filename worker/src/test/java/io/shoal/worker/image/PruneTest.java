package io.shoal.worker.image;

import io.shoal.worker.image.TestRegistry.Entry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Listing and pruning images: shared layers survive while any kept image uses them, pulls in flight keep theirs. */
class PruneTest {
    @TempDir
    Path dir;
    TestRegistry registry;
    ImageStore store;
    String a;
    String b;
    final List<Entry> shared = List.of(Entry.dir("etc"), Entry.file("etc/os-release", "base"));
    final List<Entry> ownA = List.of(Entry.file("a", "aaaa"));
    final List<Entry> ownB = List.of(Entry.file("b", "bbbbbbbb"));

    @BeforeEach
    void start() throws IOException {
        registry = new TestRegistry();
        store = new ImageStore(dir, Set.of(registry.host()));
        registry.push("a", "v1", List.of("/a"), List.of(shared, ownA));
        registry.push("b", "v1", List.of("/b"), List.of(shared, ownB));
        a = registry.host() + "/a:v1";
        b = registry.host() + "/b:v1";
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static String digest(List<Entry> layer) throws IOException {
        return TestRegistry.digest(TestRegistry.gzip(TestRegistry.tar(layer)));
    }

    private int hits(List<Entry> layer) throws IOException {
        var n = registry.blobHits.get(digest(layer));
        return n == null ? 0 : n.get();
    }

    @Test
    void imagesAreListedWithTheirLayersAndSize() throws Exception {
        Image img = store.pull(a);
        store.pull(b);
        List<StoredImage> ls = store.images();
        assertEquals(List.of(a, b), ls.stream().map(StoredImage::reference).toList());
        StoredImage first = ls.getFirst();
        assertEquals(img.manifestDigest(), first.digest());
        assertEquals(List.of(digest(shared), digest(ownA)), first.layers());
        assertEquals("base".length() + "aaaa".length(), first.size());
        assertEquals(List.of(a, b), new ImageStore(dir, Set.of()).images().stream().map(StoredImage::reference).toList(),
                "the list survives a restart");
    }

    @Test
    void pruneKeepsTheImageInUseAndTheLayersItShares() throws Exception {
        Image kept = store.pull(a);
        Image gone = store.pull(b);
        PruneResult r = store.prune(Set.of(a));
        assertEquals(List.of(b), r.images());
        assertEquals(1, r.layers(), "only b's own layer");
        assertEquals(1, r.blobs(), "b's config");
        long marker = (TestRegistry.digest(TestRegistry.tar(ownB)) + " 8").length(); // layers/<hex>.done
        assertEquals("bbbbbbbb".length() + marker + configBytes(), r.bytes(), "b's file, its layer's marker and its config");
        assertEquals(2, store.layerCount());
        assertTrue(kept.layers().stream().allMatch(Files::isDirectory));
        assertFalse(Files.exists(gone.layers().get(1)), "b's own layer is deleted");
        assertEquals(List.of(a), store.images().stream().map(StoredImage::reference).toList());

        assertEquals(new PruneResult(List.of(), 0, 0, 0), store.prune(Set.of(a)), "nothing more to remove");
        assertEquals("aaaa", Files.readString(store.pull(a).layers().get(1).resolve("a")));
        assertEquals(1, hits(ownA), "a was still whole: nothing downloaded again");
        assertEquals("bbbbbbbb", Files.readString(store.pull(b).layers().get(1).resolve("b")));
        assertEquals(2, hits(ownB), "b's own layer came again");
        assertEquals(1, hits(shared), "the shared one did not");
    }

    /** The bytes of b's config blob, which prune also freed. */
    private long configBytes() {
        return registry.blobs.values().stream().filter(x -> x[0] == '{' && new String(x).contains("\"/b\"")).findFirst().orElseThrow().length;
    }

    @Test
    void pruneWithNothingInUseEmptiesTheStoreWhichStillPulls() throws Exception {
        store.pull(a);
        store.pull(b);
        PruneResult r = store.prune(Set.of());
        assertEquals(List.of(a, b), r.images());
        assertEquals(3, r.layers());
        assertEquals(2, r.blobs());
        assertTrue(r.bytes() > "base".length() + "aaaa".length() + "bbbbbbbb".length(), "layers and configs counted");
        assertEquals(0, store.layerCount());
        assertTrue(store.images().isEmpty());
        for (String sub : List.of("layers", "configs", "blobs", "images")) {
            try (var s = Files.list(dir.resolve(sub))) {
                assertEquals(List.of(), s.toList(), sub + " is empty");
            }
        }
        assertEquals("base", Files.readString(store.pull(b).layers().getFirst().resolve("etc/os-release")));
        assertEquals(2, hits(shared));
    }

    @Test
    void inUseMayNameDigestsAndOtherSpellings() throws Exception {
        Image img = store.pull(b);
        store.pull(a);
        assertEquals(List.of(a), store.prune(Set.of(img.manifestDigest())).images());
        assertEquals(List.of(), store.prune(Set.of(registry.host() + "/b@" + img.manifestDigest())).images());
        assertThrows(IllegalArgumentException.class, () -> store.prune(Set.of("Not A Reference")));
        assertEquals(1, store.images().size(), "a bad entry removes nothing");
    }

    @Test
    void aPullInProgressKeepsItsLayers() throws Exception {
        registry.holdDigest = digest(ownA); // a's second layer; its config and shared layer are here by then
        CompletableFuture<Image> pull = CompletableFuture.supplyAsync(() -> {
            try {
                return store.pull(a);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(registry.held.await(30, TimeUnit.SECONDS), "the pull reached a's second layer");
        assertEquals(1, store.layerCount(), "the shared layer is unpacked, the image not recorded yet");
        PruneResult r = store.prune(Set.of());
        assertEquals(new PruneResult(List.of(), 0, 0, 0), r, "nothing the pull uses is removed");
        registry.release.countDown();
        Image img = pull.get(30, TimeUnit.SECONDS);
        assertEquals("base", Files.readString(img.layers().getFirst().resolve("etc/os-release")));
        assertEquals("aaaa", Files.readString(img.layers().get(1).resolve("a")));
        assertEquals(List.of(a), store.images().stream().map(StoredImage::reference).toList());
    }
}
