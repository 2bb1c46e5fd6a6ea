package io.shoal.worker.exec.runc;

import io.shoal.worker.exec.ExecException;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The runtime's binary (crun or runc) bind-mounted read-only at {@code mountPoint}, so that the
 * runtime need not protect itself on every call.
 *
 * <p>Both runtimes guard against CVE-2019-5736 (a container overwriting the host's runtime
 * binary through {@code /proc/self/exe}) by running from a copy or a read-only mount they make
 * themselves: crun bind-mounts {@code /proc/self/exe} read-only on a temporary file, re-executes
 * itself from it and unmounts it on every call ({@code create}, {@code start}, {@code kill},
 * {@code delete}, {@code exec}); runc copies itself into a memfd for {@code runc init}. Both skip
 * this when they already run from a read-only file system and {@code _LIBCONTAINER_CLONED_BINARY}
 * is set, the case runc's own comments name ("an admin could bind-mount ... to /usr/bin/runc").
 * This class makes that mount once per node instead of once per call: measured here, a
 * {@code crun start} took 6-7 ms of CPU instead of 10-15 ms, and no call waits for an unmount any
 * more (an unmount waits for an RCU grace period, milliseconds under load).
 *
 * <p>The mount is checked before each use: it is current when it shows the same file (device and
 * inode) as the runtime's path, so a runtime upgraded in place (a new inode) is mounted again,
 * and so is one whose mount went with a host restart. When the mount cannot be made (no
 * privilege, a read-only data directory), calls use the runtime's own path as before.
 */
final class RuntimeBinary {
    /** The variable with which crun and runc accept a read-only binary as their protected copy. */
    static final String CLONED_ENV = "_LIBCONTAINER_CLONED_BINARY";
    /**
     * {@code -Dshoal.runtime.readOnlyMount=false} (in {@code SHOAL_JAVA_OPTS}) turns the mount off:
     * the runtime then protects itself on every call, as without Shoal; for comparisons and as a
     * way out should a host refuse the mount's use.
     */
    static final String PROPERTY = "shoal.runtime.readOnlyMount";
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(10);

    /** A program to run and the environment it needs beyond the daemon's. */
    record Call(String path, Map<String, String> env) {}

    private final String source;
    private final Path mountPoint;
    private final boolean enabled;
    private boolean warned;

    /**
     * @param source     the runtime's path ({@code /usr/bin/crun})
     * @param mountPoint the file the read-only mount goes on (created when missing)
     */
    RuntimeBinary(String source, Path mountPoint) {
        this(source, mountPoint, true);
    }

    /** @param enabled false: no mount, every call runs {@code source} as it is */
    RuntimeBinary(String source, Path mountPoint, boolean enabled) {
        this.source = source;
        this.mountPoint = mountPoint;
        this.enabled = enabled;
    }

    String source() {
        return source;
    }

    /**
     * How to run {@code runtime}, a runtime's path as a bundle records it: through the read-only
     * mount when it is this runtime and the mount is (or can be made) current, else as it is.
     */
    Call call(String runtime) {
        if (!enabled || !runtime.equals(source)) {
            return new Call(runtime, Map.of());
        }
        return current() || remount() ? new Call(mountPoint.toString(), Map.of(CLONED_ENV, "1")) : new Call(runtime, Map.of());
    }

    /** The mount shows the runtime's current file. */
    private boolean current() {
        try {
            Object want = Files.readAttributes(Path.of(source), BasicFileAttributes.class).fileKey();
            Object have = Files.readAttributes(mountPoint, BasicFileAttributes.class).fileKey();
            return want != null && Objects.equals(want, have);
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized boolean remount() {
        if (current()) {
            return true; // another caller mounted it meanwhile
        }
        try {
            if (mounted()) {
                Cmd.run(List.of("umount", "-l", mountPoint.toString()), MOUNT_TIMEOUT); // a stale runtime
            }
            Files.createDirectories(mountPoint.getParent());
            if (!Files.exists(mountPoint)) {
                Files.createFile(mountPoint);
            }
            Cmd.check(List.of("mount", "--bind", source, mountPoint.toString()), MOUNT_TIMEOUT);
            Cmd.check(List.of("mount", "-o", "remount,bind,ro", mountPoint.toString()), MOUNT_TIMEOUT);
            return current();
        } catch (IOException | ExecException e) {
            if (!warned) {
                warned = true;
                LoggerFactory.getLogger(RuntimeBinary.class).warn("cannot mount {} read-only at {} ({}): the runtime protects "
                        + "itself on every call, which is slower", source, mountPoint, e.getMessage());
            }
            unmountQuietly();
            return false;
        }
    }

    /** Whether something is mounted at the mount point. */
    boolean mounted() {
        String abs = mountPoint.toAbsolutePath().toString();
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(abs));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Removes the mount (and the file under it): nothing needs it once the daemon stops, and conmon only runs it to create. */
    synchronized void close() {
        unmountQuietly();
        try {
            Files.deleteIfExists(mountPoint);
        } catch (IOException e) {
            // busy or gone: the next start reuses or replaces it
        }
    }

    private void unmountQuietly() {
        for (int i = 0; i < 4 && mounted(); i++) { // stacked mounts (two daemons racing) come off one by one
            try {
                Cmd.run(List.of("umount", "-l", mountPoint.toString()), MOUNT_TIMEOUT); // lazily: a runtime call may still run it
            } catch (ExecException e) {
                return;
            }
        }
    }
}
