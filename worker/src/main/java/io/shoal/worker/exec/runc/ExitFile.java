package io.shoal.worker.exec.runc;

import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.ExitStatus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A container's exit file: conmon writes the exit code of the container's init there when it exits
 * (the file may be seen empty while it writes). Waiters are woken by the executor's {@link ExitWatch}
 * and look at the file themselves; without a watch they poll it.
 */
final class ExitFile {
    /** How often a waiter looks at the file itself although the exit watch said nothing. */
    private static final Duration RECHECK = Duration.ofMillis(500);
    /** How often a waiter polls the file where there is no exit watch. */
    private static final Duration POLL = Duration.ofMillis(10);

    private final ExitWatch watch;
    private final String name;
    private final Path path;
    /** the runner's wake-up registered with {@link #notifyExit}, removed with {@link #delete} */
    private volatile Runnable listener;

    /** @param name the container's id, the file's name in the exits directory the watch follows */
    ExitFile(ExitWatch watch, Path exitsDir, String name) {
        this.watch = watch;
        this.name = name;
        this.path = exitsDir.resolve(name);
    }

    /** Whether conmon has begun writing the file: the container's init has exited. */
    boolean exists() {
        return Files.exists(path);
    }

    /** The init's exit status once conmon has written it. */
    Optional<ExitStatus> read() throws ExecException {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        try {
            String s = Files.readString(path).trim();
            if (s.isEmpty()) {
                return Optional.empty(); // conmon is still writing it
            }
            return Optional.of(new ExitStatus(Integer.parseInt(s)));
        } catch (IOException | NumberFormatException e) {
            throw new ExecException("unreadable exit file " + path + ": " + e.getMessage());
        }
    }

    /** The exit status once written, or empty when {@code timeout} passes first. */
    Optional<ExitStatus> await(Duration timeout) throws ExecException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Semaphore changed = new Semaphore(0);
        Runnable wake = changed::release;
        watch.add(name, wake);
        try {
            while (true) {
                Optional<ExitStatus> e = read();
                long left = deadline - System.nanoTime();
                if (e.isPresent() || left <= 0) {
                    return e;
                }
                changed.tryAcquire(Math.min(left, (watch.watching() ? RECHECK : POLL).toNanos()), TimeUnit.NANOSECONDS);
            }
        } finally {
            watch.remove(name, wake);
        }
    }

    /** Calls {@code wake} when the file changes, until {@link #delete}; false where there is no exit watch. */
    boolean notifyExit(Runnable wake) {
        if (!watch.watching()) {
            return false;
        }
        watch.add(name, wake);
        listener = wake;
        return true;
    }

    /** Stops waking the runner: the container is going. */
    void stopNotifying() {
        Runnable l = listener;
        if (l != null) {
            watch.remove(name, l);
        }
    }

    void delete() throws IOException {
        Files.deleteIfExists(path);
    }
}
