package io.shoal.worker.exec.runc;

import io.shoal.api.HealthConfig;
import io.shoal.api.Task;
import io.shoal.worker.exec.ExecException;

import java.nio.file.Path;
import java.util.List;

/**
 * A task's root file system and what its image says to run (entrypoint, cmd, env, working dir,
 * user, health check). Provided by the image store (pulled layers under overlayfs); tests use a
 * prepared directory.
 */
public record Rootfs(Path path, List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
                     String user, HealthConfig healthcheck) {
    public Rootfs(Path path, List<String> entrypoint, List<String> cmd, List<String> env) {
        this(path, entrypoint, cmd, env, "", "", HealthConfig.getDefaultInstance());
    }

    /** Where root file systems come from. {@code release} undoes {@code acquire} (e.g. unmounts). */
    public interface Source {
        Rootfs acquire(Task task, Path bundle) throws ExecException;

        void release(Task task, Path bundle) throws ExecException;
    }
}
