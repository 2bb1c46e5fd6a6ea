package io.shoal.worker.image;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/** The two system calls overlay whiteouts need, through the Foreign Function & Memory API. */
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MKNOD = LINKER.downcallHandle(LINKER.defaultLookup().find("mknod").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle SETXATTR = LINKER.downcallHandle(LINKER.defaultLookup().find("lsetxattr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final int S_IFCHR = 0020000;

    private Native() {}

    /** An overlay whiteout: a character device 0:0. */
    static void whiteout(Path p) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Linker.Option.captureStateLayout());
            int rc = (int) MKNOD.invokeExact(errno, a.allocateFrom(p.toString()), S_IFCHR, 0L);
            check(rc, errno, "mknod " + p);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mknod " + p + ": " + t, t);
        }
    }

    /** Marks a directory opaque for overlayfs. */
    static void opaque(Path dir) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment value = a.allocateFrom("y");
            int rc = (int) SETXATTR.invokeExact(errno, a.allocateFrom(dir.toString()), a.allocateFrom("trusted.overlay.opaque"),
                    value, 1L, 0);
            check(rc, errno, "setxattr " + dir);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setxattr " + dir + ": " + t, t);
        }
    }

    private static void check(int rc, MemorySegment errnoState, String what) throws IOException {
        if (rc != 0) {
            int errno = errnoState.get(ValueLayout.JAVA_INT,
                    Linker.Option.captureStateLayout().byteOffset(MemoryLayout.PathElement.groupElement("errno")));
            throw new IOException(what + " failed (errno " + errno + ")");
        }
    }
}
