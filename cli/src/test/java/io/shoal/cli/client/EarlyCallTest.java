package io.shoal.cli.client;

import io.shoal.api.ControlGrpc;
import io.shoal.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listing's request that {@code Main} sends before building the command model, against a real
 * grpc-java server on a unix socket: the command takes its answer (one call, one connection, the same
 * output), and an early call that does not match the command's call is left unused.
 */
class EarlyCallTest {
    private static final List<String> TABLE = List.of("ID  NAME  MODE        REPLICAS  IMAGE           PORTS",
            "s1  web   replicated  2/2       busybox:latest");

    @TempDir
    Path dir;

    private Path socket;
    private final LightChannelTest.Daemon daemon = new LightChannelTest.Daemon();

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("shoal.sock");
        daemon.serve(socket);
    }

    @AfterEach
    void stop() throws Exception {
        EarlyCall.discard();
        daemon.stop();
    }

    /** Runs {@code args} as {@code Main.main} does (the early call first), without exiting. */
    private static Run shoal(String... args) {
        boolean early = Main.callEarly(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(early, code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private record Run(boolean early, int code, String out, String err) {}

    @Test
    void serviceLsTakesTheEarlyAnswerOverOneConnection() {
        Run r = shoal("-H", "unix://" + socket, "service", "ls");
        assertTrue(r.early());
        assertEquals(0, r.code(), r.err());
        assertEquals(TABLE, r.out().lines().toList());
        assertEquals(1, daemon.calls.get(), "the early call is the command's call");
        assertEquals(1, daemon.connections(), "and its connection the command's");
        // the answer was used once: the next run asks again
        Run again = shoal("service", "list", "--host=unix://" + socket);
        assertEquals(TABLE, again.out().lines().toList());
        assertEquals(2, daemon.calls.get());
    }

    @Test
    void nodeLsTakesItsEarlyAnswerToo() {
        Run r = shoal("--host", "unix://" + socket, "node", "ls", "-q");
        assertTrue(r.early());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(), r.out().lines().toList(), "the stand-in daemon has no nodes unless asked");
        assertNull(EarlyCall.take(socket, Main.earlyMethod("node", "ls"), new byte[0], Long.MAX_VALUE, LightChannel.MAX_MESSAGE),
                "taken by the command");
    }

    @Test
    void anEarlyCallToAnotherSocketIsLeftAndTheCommandAsksItsOwn() {
        // sent to where the guess pointed, SHOAL_HOST's default here; the command reads -H
        assertTrue(EarlyCall.start("unix://" + dir.resolve("elsewhere.sock"), Main.earlyMethod("service", "ls"), new byte[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"-H", "unix://" + socket, "service", "ls"}, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, code, err.toString());
        assertEquals(TABLE, out.toString().lines().toList());
        assertEquals(1, daemon.calls.get());
    }

    @Test
    void noDaemonGivesTheSameOneLineAsACallMadeLater() {
        String host = "unix://" + dir.resolve("nothing.sock");
        Run early = shoal("-H", host, "service", "ls");
        assertTrue(early.early());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"-H", host, "service", "ls"}, new PrintStream(new ByteArrayOutputStream(), true),
                new PrintStream(err, true));
        assertEquals(1, early.code());
        assertEquals(code, early.code());
        assertEquals("Error: cannot reach the shoal daemon at " + host + ": is 'shoal daemon' running?\n", early.err());
        assertEquals(err.toString(), early.err());
    }

    @Test
    void aUsageErrorStillExitsTwoAndTheEarlyReadChangesNothing() {
        Run r = shoal("-H", "unix://" + socket, "service", "ls", "--no-such-flag");
        assertTrue(r.early());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Error: Unknown option: '--no-such-flag'"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void onlyTheListingsOverUnixSocketsAreSentEarly() {
        assertEquals("/" + ControlGrpc.getListServicesMethod().getFullMethodName(), Main.earlyMethod("service", "ls"));
        assertEquals("/" + ControlGrpc.getListNodesMethod().getFullMethodName(), Main.earlyMethod("node", "list"));
        assertNull(Main.earlyMethod("service", "ps"));
        assertNull(Main.earlyMethod("network", "ls"));
        assertNull(Main.earlyMethod("service", null));
        assertFalse(EarlyCall.start("tcp://10.0.0.1:4242", Main.earlyMethod("node", "ls"), new byte[0]));
        assertFalse(EarlyCall.start("unix://", Main.earlyMethod("node", "ls"), new byte[0]));
        assertFalse(Main.callEarly(new String[] {"-H", "tcp://10.0.0.1:4242", "service", "ls"}));
        assertFalse(Main.callEarly(new String[] {"service", "ps", "web"}));
        assertFalse(Main.callEarly(new String[] {"--version"}));
    }

    @Test
    void theHostIsReadAsPicocliReadsIt() {
        assertEquals("unix:///a", Main.hostOf(new String[] {"-H", "unix:///a", "service", "ls"}));
        assertEquals("unix:///b", Main.hostOf(new String[] {"service", "ls", "--host", "unix:///b"}));
        assertEquals("unix:///c", Main.hostOf(new String[] {"--host=unix:///c", "node", "ls"}));
        assertEquals("unix:///d", Main.hostOf(new String[] {"-Hunix:///d", "node", "ls"}));
        assertEquals("unix:///e", Main.hostOf(new String[] {"-H=unix:///e", "node", "ls"}));
        String env = System.getenv("SHOAL_HOST");
        assertEquals(env == null || env.isEmpty() ? "unix:///run/shoal/shoal.sock" : env, Main.hostOf(new String[] {"node", "ls"}));
    }
}
