package io.shoal.worker.exec.runc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real mounts (needs root): a stand-in runtime file, mounted read-only, replaced in place, unmounted. */
class RuntimeBinaryTest {
    @TempDir
    Path dir;
    Path source;
    RuntimeBinary binary;

    @BeforeEach
    void runtime() throws IOException {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        source = dir.resolve("bin/crun");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "first");
        binary = new RuntimeBinary(source.toString(), dir.resolve("data/runtimes/crun"));
    }

    @AfterEach
    void unmount() {
        if (binary != null) {
            binary.close();
        }
    }

    @Test
    void theRuntimeRunsFromItsReadOnlyMountWithTheVariableThatSaysSo() throws IOException {
        RuntimeBinary.Call call = binary.call(source.toString());
        Path mounted = dir.resolve("data/runtimes/crun");
        assertEquals(mounted.toString(), call.path());
        assertEquals(Map.of("_LIBCONTAINER_CLONED_BINARY", "1"), call.env());
        assertTrue(binary.mounted());
        assertEquals("first", Files.readString(mounted));
        assertThrows(IOException.class, () -> Files.writeString(mounted, "overwritten"), "the mount is read-only");
        assertEquals("first", Files.readString(source));
        assertEquals(call, binary.call(source.toString()), "a current mount is used as it is");
    }

    @Test
    void aRuntimeReplacedInPlaceIsMountedAgain() throws IOException {
        binary.call(source.toString());
        Path next = dir.resolve("bin/crun.new");
        Files.writeString(next, "second");
        Files.move(next, source, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING); // as a package upgrade
        RuntimeBinary.Call call = binary.call(source.toString());
        assertEquals("second", Files.readString(Path.of(call.path())));
    }

    @Test
    void anotherRuntimeRunsFromItsOwnPathWithNothingAdded() {
        RuntimeBinary.Call call = binary.call("/usr/sbin/runc");
        assertEquals(new RuntimeBinary.Call("/usr/sbin/runc", Map.of()), call);
        assertFalse(binary.mounted(), "nothing mounted for a runtime that is not this one");
    }

    @Test
    void turnedOffTheRuntimeRunsFromItsOwnPath() {
        RuntimeBinary off = new RuntimeBinary(source.toString(), dir.resolve("data/runtimes/crun"), false);
        assertEquals(new RuntimeBinary.Call(source.toString(), Map.of()), off.call(source.toString()));
        assertFalse(off.mounted());
    }

    @Test
    void closeUnmountsAndRemovesTheFile() {
        binary.call(source.toString());
        binary.close();
        assertFalse(binary.mounted());
        assertFalse(Files.exists(dir.resolve("data/runtimes/crun")));
    }

    @Test
    void whenTheMountCannotBeMadeTheRuntimeRunsFromItsOwnPath() throws IOException {
        Files.writeString(dir.resolve("blocked"), "a file where the directory should be");
        RuntimeBinary blocked = new RuntimeBinary(source.toString(), dir.resolve("blocked/runtimes/crun"));
        assertEquals(new RuntimeBinary.Call(source.toString(), Map.of()), blocked.call(source.toString()));
        assertFalse(blocked.mounted());
    }
}
