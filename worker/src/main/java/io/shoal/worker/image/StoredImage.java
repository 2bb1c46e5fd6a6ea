package io.shoal.worker.image;

import java.util.List;

/**
 * One image the node holds, for {@code shoal image ls} and for deciding what pruning keeps:
 * the reference it was pulled as (normalized, e.g. {@code registry-1.docker.io/library/busybox:latest}),
 * its manifest digest, the digest of its config (docker's image id), its layers' digests (bottom
 * first) and their unpacked size in bytes, shared layers counted in every image that uses them.
 */
public record StoredImage(String reference, String digest, String configDigest, long size, List<String> layers) {
    public StoredImage {
        layers = List.copyOf(layers);
    }
}
