package io.shoal.worker.image;

import java.util.List;

/**
 * What {@link ImageStore#prune} removed: the references of the images it forgot, how many unpacked
 * layers and other blobs (image configs, downloads left over by a crash) it deleted, and the bytes
 * that freed on disk.
 */
public record PruneResult(List<String> images, int layers, int blobs, long bytes) {
    public PruneResult {
        images = List.copyOf(images);
    }
}
