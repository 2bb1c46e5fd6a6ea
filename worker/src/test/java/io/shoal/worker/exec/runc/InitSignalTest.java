package io.shoal.worker.exec.runc;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Signals through a pidfd, on real child processes of this JVM (the test plays conmon, their parent). */
class InitSignalTest {
    private static final long SELF = ProcessHandle.current().pid();

    @BeforeEach
    void pidfds() {
        Assumptions.assumeTrue(InitSignal.available(), "the C library has no pidfd calls");
    }

    @Test
    void namesAndNumbersAreReadAsTheRuntimesKillReadsThem() {
        assertEquals(OptionalInt.of(15), InitSignal.number("SIGTERM"));
        assertEquals(OptionalInt.of(15), InitSignal.number("TERM"));
        assertEquals(OptionalInt.of(9), InitSignal.number("SIGKILL"));
        assertEquals(OptionalInt.of(3), InitSignal.number("sigquit"));
        assertEquals(OptionalInt.of(10), InitSignal.number("SIG10"));
        assertEquals(OptionalInt.of(2), InitSignal.number("2"));
        assertEquals(OptionalInt.empty(), InitSignal.number("SIGRTMIN+3"), "left to the runtime");
        assertEquals(OptionalInt.empty(), InitSignal.number("SIGNOPE"));
        assertEquals(OptionalInt.empty(), InitSignal.number("0"));
    }

    @Test
    void aChildOfTheNamedParentGetsTheSignal() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        try {
            assertEquals(InitSignal.Outcome.SENT, InitSignal.send(p.pid(), SELF, "SIGTERM"));
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "sleep ended on SIGTERM");
            assertEquals(128 + 15, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aProcessOfAnotherParentIsNotSignalled() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        try {
            assertEquals(InitSignal.Outcome.UNKNOWN, InitSignal.send(p.pid(), SELF + 1, "SIGKILL"),
                    "a pid whose parent is not the container's conmon may have been reused: left to the runtime");
            assertFalse(p.waitFor(300, TimeUnit.MILLISECONDS), "not killed");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aReapedProcessIsGone() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(InitSignal.Outcome.GONE, InitSignal.send(p.pid(), SELF, "SIGTERM"));
    }

    @Test
    void anUnknownSignalIsLeftToTheRuntime() throws Exception {
        Process p = new ProcessBuilder("sleep", "600").start();
        try {
            assertEquals(InitSignal.Outcome.UNKNOWN, InitSignal.send(p.pid(), SELF, "SIGRTMIN+1"));
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void pidFilesAndParentsAreRead(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("pid"), "4242");
        Files.writeString(dir.resolve("nl"), "4243\n");
        Files.writeString(dir.resolve("bad"), "x");
        assertEquals(OptionalInt.of(4242), InitSignal.readPid(dir.resolve("pid")));
        assertEquals(OptionalInt.of(4243), InitSignal.readPid(dir.resolve("nl")));
        assertEquals(OptionalInt.empty(), InitSignal.readPid(dir.resolve("bad")));
        assertEquals(OptionalInt.empty(), InitSignal.readPid(dir.resolve("missing")));
        assertEquals(ProcessHandle.current().parent().map(ProcessHandle::pid), InitSignal.parent(SELF));
        assertEquals(Optional.empty(), InitSignal.parent(Long.MAX_VALUE));
    }
}
