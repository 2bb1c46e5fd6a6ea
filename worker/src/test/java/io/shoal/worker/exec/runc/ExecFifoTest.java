package io.shoal.worker.exec.runc;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Releasing a created container through its exec fifo, on a real fifo whose reader this test plays (the container's init). */
class ExecFifoTest {
    @TempDir
    Path state;

    @BeforeEach
    void nativeCalls() {
        Assumptions.assumeTrue(ExecFifo.available(), "no native access");
    }

    private Path mkfifo() throws Exception {
        Path fifo = state.resolve(ExecFifo.NAME);
        Cmd.check(List.of("mkfifo", "-m", "600", fifo.toString()), Duration.ofSeconds(30));
        return fifo;
    }

    @Test
    void theWaitingReaderGetsOneByteAndTheFifoGoesAsCrunStartDoes() throws Exception {
        Path fifo = mkfifo();
        // O_RDWR: opened at once, as crun's create opens its end without waiting for a writer
        try (RandomAccessFile init = new RandomAccessFile(fifo.toFile(), "rw")) {
            assertEquals(ExecFifo.Outcome.STARTED, ExecFifo.start(state));
            assertFalse(Files.exists(fifo), "unlinked: crun reads a container without its fifo as started");
            assertEquals(0, init.read(), "the byte crun start writes");
        }
    }

    @Test
    void aFifoWithoutReaderIsLeftToTheRuntime() throws Exception {
        Path fifo = mkfifo();
        assertEquals(ExecFifo.Outcome.UNKNOWN, ExecFifo.start(state), "the container's init is gone: no wait, crun start says why");
        assertTrue(Files.exists(fifo), "nothing changed");
    }

    @Test
    void noFifoIsLeftToTheRuntime() {
        assertEquals(ExecFifo.Outcome.UNKNOWN, ExecFifo.start(state), "not crun's layout, or started already");
    }
}
