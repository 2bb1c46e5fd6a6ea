package io.shoal.worker.image;

import io.shoal.api.HealthConfig;

import java.nio.file.Path;
import java.util.List;

/**
 * A pulled image: its unpacked layers (bottom first) and what its config says to run, including
 * its HEALTHCHECK (empty when it has none).
 */
public record Image(String reference, String manifestDigest, List<Path> layers, List<String> entrypoint,
                    List<String> cmd, List<String> env, String workingDir, String user, HealthConfig healthcheck) {
    public Image(String reference, String manifestDigest, List<Path> layers, List<String> entrypoint,
                 List<String> cmd, List<String> env, String workingDir, String user) {
        this(reference, manifestDigest, layers, entrypoint, cmd, env, workingDir, user, HealthConfig.getDefaultInstance());
    }
}
