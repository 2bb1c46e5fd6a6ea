package io.shoal.worker.exec.runc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Starts a container crun has created the way {@code crun start} does, without starting crun: crun's
 * {@code create} leaves the container's init blocked reading {@code exec.fifo} in the container's
 * state directory, and {@code start} opens that fifo for writing, unlinks it and writes one byte
 * (crun's {@code libcrun_status_write_exec_fifo}); the init then runs the container's command. The
 * fifo's absence is also how crun tells a started container from a created one, so {@code crun
 * state} reads the same after either.
 *
 * <p>The fifo is opened with {@code O_NONBLOCK}, so a container whose init is gone (no reader) is
 * an error at once ({@code ENXIO}) rather than a wait. Anything this class cannot do (no fifo where
 * crun keeps it, no reader, no native access) is {@link Outcome#UNKNOWN}, and the caller runs
 * {@code crun start}, which says what is wrong. runc's fifo works the other way round (its init
 * writes, {@code runc start} reads), so runc containers are started by runc.
 */
final class ExecFifo {
    /** What became of a start. */
    enum Outcome {
        /** the byte was written: the container's init goes on to run its command */
        STARTED,
        /** not started: no fifo, no reader, or no native access */
        UNKNOWN
    }

    /**
     * The fifo's name in a container's state directory ({@code ROOT/ID/exec.fifo}), crun's and runc's
     * alike: there from the create to the start.
     */
    static final String NAME = "exec.fifo";
    private static final int O_WRONLY = 01;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final Calls CALLS = Calls.load();

    private ExecFifo() {}

    /** Whether this JVM may make the calls (native access, a C library with them). */
    static boolean available() {
        return CALLS != null;
    }

    /** Releases the created container whose crun state directory is {@code stateDir}. */
    static Outcome start(Path stateDir) {
        if (CALLS == null) {
            return Outcome.UNKNOWN;
        }
        Path fifo = stateDir.resolve(NAME);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(fifo.toString());
            int fd = (int) CALLS.open.invokeExact(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
            if (fd < 0) {
                return Outcome.UNKNOWN; // ENOENT: not crun's layout, or started already; ENXIO: init is gone
            }
            try {
                // unlinked before the write, as crun does: the container counts as started from here on
                if ((int) CALLS.unlink.invokeExact(path) != 0) {
                    return Outcome.UNKNOWN;
                }
                MemorySegment one = a.allocate(1); // crun writes a zero byte
                long n = (long) CALLS.write.invokeExact(fd, one, 1L);
                return n == 1 ? Outcome.STARTED : Outcome.UNKNOWN;
            } finally {
                int ignored = (int) CALLS.close.invokeExact(fd);
            }
        } catch (Throwable t) {
            return Outcome.UNKNOWN;
        }
    }

    /** The C library's open, unlink, write and close, or null where they cannot be called. */
    private record Calls(MethodHandle open, MethodHandle unlink, MethodHandle write, MethodHandle close) {
        static Calls load() {
            try {
                return new Calls(
                        // open(path, flags, mode): variadic from its mode on
                        Libc.downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2)),
                        Libc.downcall("unlink", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS)),
                        Libc.downcall("write", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
                        Libc.downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)));
            } catch (RuntimeException | LinkageError e) {
                return null; // no such call, or no native access: crun start it is
            }
        }
    }
}
