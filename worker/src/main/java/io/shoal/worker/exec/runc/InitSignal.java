package io.shoal.worker.exec.runc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Sends a signal to a container's init process directly, through a pidfd
 * ({@code pidfd_open(2)}, {@code pidfd_send_signal(2)}), instead of starting {@code runtime kill}
 * (the JDK's spawn helper and the runtime: ~10 ms of CPU on every stop). What {@code crun kill}
 * and {@code runc kill} do for a container with its own pid namespace is the same: one signal to
 * its init, whose death ends the namespace.
 *
 * <p>A pid names a process only while it lives: once reaped, the pid may be given to another
 * program. The pidfd pins the process it was opened on, so the check made after opening it holds
 * for the signal: the process must still be a child of the container's conmon (conmon is the
 * subreaper that reaps init, and writes the exit file only after reaping it). Anything this class
 * cannot tell (no pidfd support, no pid, another parent) is {@link Outcome#UNKNOWN}: the caller
 * falls back to the runtime's own kill.
 */
final class InitSignal {
    /** What became of a signal. */
    enum Outcome {
        /** delivered to the process */
        SENT,
        /** the process no longer exists: it has exited and been reaped */
        GONE,
        /** not sent: no pidfd support, no such signal name, or the pid is not conmon's child */
        UNKNOWN
    }

    private static final int ESRCH = 3;
    /** Linux's signal numbers (the same on x86-64 and arm64) by name, without the SIG prefix. */
    private static final Map<String, Integer> SIGNALS = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4), Map.entry("TRAP", 5),
            Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7), Map.entry("FPE", 8), Map.entry("KILL", 9),
            Map.entry("USR1", 10), Map.entry("SEGV", 11), Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14),
            Map.entry("TERM", 15), Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23), Map.entry("XCPU", 24),
            Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27), Map.entry("WINCH", 28), Map.entry("IO", 29),
            Map.entry("POLL", 29), Map.entry("PWR", 30), Map.entry("SYS", 31));

    private static final Calls CALLS = Calls.load();

    private InitSignal() {}

    /** Whether this host's C library has the pidfd calls (glibc 2.36 and later; kernel 5.3 and later for them to work). */
    static boolean available() {
        return CALLS != null;
    }

    /**
     * The number of a signal named as {@code runtime kill} takes it ({@code SIGTERM}, {@code TERM},
     * {@code 15}), or empty for a name this class does not know (real-time signals among them).
     */
    static OptionalInt number(String signal) {
        String s = signal.toUpperCase(Locale.ROOT);
        s = s.startsWith("SIG") ? s.substring(3) : s;
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() <= 2) {
            int n = Integer.parseInt(s);
            return n >= 1 && n <= 64 ? OptionalInt.of(n) : OptionalInt.empty();
        }
        Integer n = SIGNALS.get(s);
        return n == null ? OptionalInt.empty() : OptionalInt.of(n);
    }

    /** The pid in a pid file (conmon's, the runtime's), if it holds one. */
    static OptionalInt readPid(Path pidFile) {
        try {
            String s = Files.readString(pidFile).strip();
            int pid = Integer.parseInt(s);
            return pid > 1 ? OptionalInt.of(pid) : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The parent of process {@code pid} as {@code /proc/PID/stat} shows it, if it exists. */
    static Optional<Long> parent(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Optional.of(Long.parseLong(f[1]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Sends {@code signal} to process {@code pid} if it is a child of {@code parent}. */
    static Outcome send(long pid, long parent, String signal) {
        OptionalInt sig = number(signal);
        if (CALLS == null || sig.isEmpty() || pid <= 1) {
            return Outcome.UNKNOWN;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Linker.Option.captureStateLayout());
            int fd = (int) CALLS.open.invokeExact(errno, (int) pid, 0);
            if (fd < 0) {
                return errno(errno) == ESRCH ? Outcome.GONE : Outcome.UNKNOWN;
            }
            try {
                // checked after the pidfd holds the process: a pid reused since is another process's
                if (!parent(pid).equals(Optional.of(parent))) {
                    return Outcome.UNKNOWN;
                }
                int rc = (int) CALLS.send.invokeExact(errno, fd, sig.getAsInt(), MemorySegment.NULL, 0);
                if (rc == 0) {
                    return Outcome.SENT;
                }
                return errno(errno) == ESRCH ? Outcome.GONE : Outcome.UNKNOWN;
            } finally {
                int ignored = (int) CALLS.close.invokeExact(fd);
            }
        } catch (Throwable t) {
            return Outcome.UNKNOWN;
        }
    }

    private static int errno(MemorySegment state) {
        return state.get(ValueLayout.JAVA_INT, Linker.Option.captureStateLayout().byteOffset(
                MemoryLayout.PathElement.groupElement("errno")));
    }

    /** The C library's pidfd calls and close, or null where it has none. */
    private record Calls(MethodHandle open, MethodHandle send, MethodHandle close) {
        static Calls load() {
            try {
                return new Calls(
                        Libc.downcall("pidfd_open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno")),
                        Libc.downcall("pidfd_send_signal", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), Linker.Option.captureCallState("errno")),
                        Libc.downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT)));
            } catch (RuntimeException | LinkageError e) {
                return null; // no such call in this C library, or no native access: the runtime's kill it is
            }
        }
    }
}
