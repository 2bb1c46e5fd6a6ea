package io.shoal.worker.image;

import java.nio.file.Path;
import java.util.List;

/**
 * A pulled image: its unpacked layers (bottom first) and what its config says to run.
 */
public record Image(String reference, String manifestDigest, List<Path> layers, List<String> entrypoint,
                    List<String> cmd, List<String> env, String workingDir, String user) {}
