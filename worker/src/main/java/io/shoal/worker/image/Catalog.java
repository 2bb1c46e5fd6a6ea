package io.shoal.worker.image;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The store's record of which images it holds ({@code images/<sha256 of reference>.json}, one
 * {@link StoredImage} each) and of the digests that pulls in progress are using ("pins"). Together
 * they answer the one question pruning asks: may this layer or config go? A pull pins each digest
 * under that digest's lock, and records its image and drops its pins in one step here, so at every
 * moment a digest some pull needs is pinned, recorded, or both.
 */
final class Catalog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Map<String, StoredImage> images = new HashMap<>();
    private final Map<String, Integer> pins = new HashMap<>();

    Catalog(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    StoredImage img = JSON.readValue(p.toFile(), StoredImage.class);
                    images.put(img.reference(), img);
                } catch (IOException e) {
                    Files.deleteIfExists(p); // a record torn by a crash: the next pull writes it again
                }
            }
        }
    }

    synchronized void pin(String digest) {
        pins.merge(digest, 1, Integer::sum);
    }

    synchronized void unpin(Collection<String> digests) {
        for (String d : digests) {
            pins.computeIfPresent(d, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * Records {@code img} (replacing what its reference named before) and drops the pull's
     * {@code pinned} digests. The same record again (a task's start pulls an image already here)
     * writes nothing.
     */
    synchronized void record(StoredImage img, List<String> pinned) throws IOException {
        if (!img.equals(images.get(img.reference()))) {
            Path file = file(img.reference());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(img));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            images.put(img.reference(), img);
        }
        unpin(pinned);
        pinned.clear();
    }

    synchronized List<StoredImage> list() {
        return images.values().stream().sorted(Comparator.comparing(StoredImage::reference)).toList();
    }

    /** Forgets every image {@code keep} rejects; returns them. */
    synchronized List<StoredImage> removeUnless(Predicate<StoredImage> keep) throws IOException {
        List<StoredImage> gone = new ArrayList<>();
        for (StoredImage img : List.copyOf(images.values())) {
            if (!keep.test(img)) {
                Files.deleteIfExists(file(img.reference()));
                images.remove(img.reference());
                gone.add(img);
            }
        }
        gone.sort(Comparator.comparing(StoredImage::reference));
        return gone;
    }

    /** Whether a recorded image or a pull in progress uses this layer or config digest. */
    synchronized boolean needed(String digest) {
        if (pins.containsKey(digest)) {
            return true;
        }
        for (StoredImage img : images.values()) {
            if (img.configDigest().equals(digest) || img.layers().contains(digest)) {
                return true;
            }
        }
        return false;
    }

    private Path file(String reference) {
        return dir.resolve(RegistryClient.sha256(reference.getBytes(StandardCharsets.UTF_8)).substring(7) + ".json");
    }
}
