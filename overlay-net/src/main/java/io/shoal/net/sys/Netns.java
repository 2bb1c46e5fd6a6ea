package io.shoal.net.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside a network namespace: a new platform thread enters it with {@code setns(2)}
 * (Foreign Function & Memory API) and runs the code there. Sockets it opens, and threads it starts,
 * stay in that namespace; the daemon's other threads are not affected.
 */
public final class Netns {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final int O_RDONLY_CLOEXEC = 02000000;
    private static final int CLONE_NEWNET = 0x40000000;

    private Netns() {}

    /** Runs {@code code} in the namespace {@code /run/netns/NAME} and returns its result; a null name: here, in this thread. */
    public static <T> T run(String name, Callable<T> code) throws IOException {
        if (name == null) {
            try {
                return code.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e.getMessage(), e);
            }
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            try (Arena a = Arena.ofConfined()) {
                int fd = (int) OPEN.invokeExact(a.allocateFrom("/run/netns/" + name), O_RDONLY_CLOEXEC);
                if (fd < 0) {
                    throw new IOException("cannot open the network namespace " + name);
                }
                int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                int ignored = (int) CLOSE.invokeExact(fd);
                if (rc != 0) {
                    throw new IOException("cannot enter the network namespace " + name);
                }
                result.set(code.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted entering " + name);
        }
        if (failure.get() != null) {
            Throwable f = failure.get();
            throw f instanceof IOException io ? io : new IOException(f.getMessage(), f);
        }
        return result.get();
    }
}
