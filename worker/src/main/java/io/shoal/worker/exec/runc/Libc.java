package io.shoal.worker.exec.runc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.NoSuchElementException;

/** Calls into the C library through the FFM API, for the system calls the JDK has no method for. */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();

    private Libc() {}

    /**
     * The C library's function {@code name} as a method handle of {@code descriptor}.
     *
     * @throws NoSuchElementException where the C library has no such function (an older glibc)
     * @throws IllegalCallerException where native access is refused to this module
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new NoSuchElementException("no " + name + " in the C library")), descriptor, options);
    }
}
