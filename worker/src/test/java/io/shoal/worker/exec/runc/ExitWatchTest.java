package io.shoal.worker.exec.runc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExitWatchTest {
    @TempDir
    Path dir;

    @Test
    void aListenerHearsOfItsOwnFileOnly() throws Exception {
        ExitWatch w = new ExitWatch(dir);
        assertTrue(w.watching(), "inotify is available here");
        Semaphore a = new Semaphore(0);
        Semaphore b = new Semaphore(0);
        Runnable la = a::release;
        w.add("a", la);
        w.add("b", b::release);
        Files.writeString(dir.resolve("a"), "0");
        assertTrue(a.tryAcquire(30, TimeUnit.SECONDS), "the exit file of a was written");
        w.remove("a", la);
        Files.writeString(dir.resolve("b"), "137");
        assertTrue(b.tryAcquire(30, TimeUnit.SECONDS), "the exit file of b was written");
        a.drainPermits();
        Files.writeString(dir.resolve("a"), "1");
        Files.writeString(dir.resolve("b"), "1");
        assertTrue(b.tryAcquire(30, TimeUnit.SECONDS));
        assertEquals(0, a.availablePermits(), "a's listener was removed");
    }
}
