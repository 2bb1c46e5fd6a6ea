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

/**
 * The system calls unpacking a layer needs (mknod for overlay whiteouts, extended attributes) and
 * a container's root its overlay mount, through the Foreign Function & Memory API.
 */
final class Native {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MKNOD = LINKER.downcallHandle(LINKER.defaultLookup().find("mknod").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle SETXATTR = LINKER.downcallHandle(LINKER.defaultLookup().find("lsetxattr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle GETXATTR = LINKER.downcallHandle(LINKER.defaultLookup().find("lgetxattr").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle MOUNT = LINKER.downcallHandle(LINKER.defaultLookup().find("mount").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle UMOUNT2 = LINKER.downcallHandle(LINKER.defaultLookup().find("umount2").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final int S_IFCHR = 0020000;
    private static final int ENOTSUP = 95;
    private static final int ENODATA = 61;
    private static final int MAX_XATTR = 65536;

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

    /**
     * Sets an extended attribute on {@code p} (not following a symbolic link); a file system that
     * keeps no such attributes (ENOTSUP) is skipped, any other failure names the attribute.
     */
    static void setxattr(Path p, String name, byte[] value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment v = a.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            int rc = (int) SETXATTR.invokeExact(errno, a.allocateFrom(p.toString()), a.allocateFrom(name), v, (long) value.length, 0);
            if (rc != 0 && errno(errno) == ENOTSUP) {
                return;
            }
            check(rc, errno, "setxattr " + name + " on " + p);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setxattr " + name + " on " + p + ": " + t, t);
        }
    }

    /** The value of an extended attribute of {@code p}, or null when it has none of that name. */
    static byte[] getxattr(Path p, String name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment v = a.allocate(MAX_XATTR);
            long n = (long) GETXATTR.invokeExact(errno, a.allocateFrom(p.toString()), a.allocateFrom(name), v, (long) MAX_XATTR);
            if (n < 0) {
                if (errno(errno) == ENODATA) {
                    return null;
                }
                check(-1, errno, "getxattr " + name + " of " + p);
            }
            return v.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("getxattr " + name + " of " + p + ": " + t, t);
        }
    }

    /**
     * mount(2) of an overlay at {@code target} with these options (a system call: the same kernel
     * work as the mount program without starting a process for each container).
     */
    static void mountOverlay(String options, Path target) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Linker.Option.captureStateLayout());
            MemorySegment overlay = a.allocateFrom("overlay");
            int rc = (int) MOUNT.invokeExact(errno, overlay, a.allocateFrom(target.toString()), overlay, 0L, a.allocateFrom(options));
            check(rc, errno, "mount of the overlay at " + target);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mount of the overlay at " + target + ": " + t, t);
        }
    }

    /** umount2(2) of {@code target}. */
    static void unmount(Path target) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(Linker.Option.captureStateLayout());
            int rc = (int) UMOUNT2.invokeExact(errno, a.allocateFrom(target.toString()), 0);
            check(rc, errno, "umount of " + target);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("umount of " + target + ": " + t, t);
        }
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    private static int errno(MemorySegment errnoState) {
        return errnoState.get(ValueLayout.JAVA_INT,
                Linker.Option.captureStateLayout().byteOffset(MemoryLayout.PathElement.groupElement("errno")));
    }

    private static void check(int rc, MemorySegment errnoState, String what) throws IOException {
        if (rc != 0) {
            int errno = errno(errnoState);
            throw new IOException(what + " failed: " + strerror(errno) + " (errno " + errno + ")");
        }
    }
}
