package io.shoal.cli;

import io.shoal.cli.output.Table;
import io.shoal.cli.output.Units;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "daemon", "init", "join", "join-token", "leave", "info", "node", "node ls", "node inspect",
            "node update", "node promote", "node demote", "node rm", "node ps", "service ps", "service ls", "service inspect",
            "image", "image ls", "image pull", "image prune", "network", "network create",
            "network ls", "network inspect", "network rm", "service create", "service update", "service rollback", "ca", "ca client-cert", "events", "version",
            "unlock", "unlock-key", "cluster update"})
    void everyCommandHasHelp(String cmd) {
        String[] args = (cmd.isEmpty() ? "--help" : cmd + " --help").split(" ");
        Run r = run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: shoal"), r.out());
    }

    @Test
    void badUsageExitsTwoWithOneLineAndAHint() {
        Run r = run("node", "ls", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("Error: Unknown option: '--bogus'"), r.err());
        assertTrue(r.err().contains("See 'shoal node ls --help'."), r.err());
        Run role = run("--host", "unix:///nonexistent/x.sock", "join-token", "admin");
        assertEquals(2, role.code(), role.err());
        assertTrue(role.err().contains("'admin' is not a role"), role.err());
        Run avail = run("--host", "unix:///nonexistent/x.sock", "node", "update", "--availability", "sometimes", "n1");
        assertEquals(2, avail.code());
        assertTrue(avail.err().contains("active, pause, drain"), avail.err());
        Run host = run("--host", "http://x", "info");
        assertEquals(2, host.code());
        assertTrue(host.err().contains("unix:///path or tcp://IP:PORT"), host.err());
    }

    @Test
    void serviceUpdateRefusesWhatCannotChangeAndBadConfigsWithOneLine() {
        String[][] cases = {
                {"service update --name other web", "--name: a service cannot be renamed"},
                {"service update --mode global web", "--mode: a service's mode cannot change"},
                {"service update --rollback --image app:2 web", "other flags may not be combined with --rollback"},
                {"service update --update-parallelism -1 web", "--update-parallelism: must be 0 or more, not -1"},
                {"service update --update-order sideways web", "--update-order: 'sideways' is not stop-first or start-first"},
                {"service update --update-failure-action retry web", "--update-failure-action: 'retry' is not one of pause, continue, rollback"},
                {"service update --update-max-failure-ratio 1.5 web", "--update-max-failure-ratio: '1.5' is not a number from 0 to 1"},
                {"service update --rollback-failure-action rollback web", "--rollback-failure-action: a rollback is never rolled back"},
                {"service update --update-monitor soon web", "--update-monitor: invalid duration 'soon'"},
                {"service create --update-delay 1x app:1", "--update-delay: invalid duration '1x'"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("--host", "unix:///nonexistent/x.sock"));
            args.addAll(List.of(c[0].split(" ")));
            Run r = run(args.toArray(String[]::new));
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().startsWith("Error: " + c[1]), c[0] + ": " + r.err());
            assertEquals(2, r.err().lines().count(), "one line and a hint: " + r.err());
        }
    }

    @Test
    void aBadElectionTimeoutStopsTheDaemonBeforeItStartsWithOneLine() {
        for (String bad : new String[] {"50ms", "2m", "soon"}) {
            Run r = run("daemon", "--data-dir", "/nonexistent/shoal-test", "--election-timeout", bad);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith("Error: --election-timeout: "), r.err());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("Error")).count(), r.err());
        }
        assertTrue(!Files.exists(Path.of("/nonexistent/shoal-test")), "nothing made");
    }

    @ParameterizedTest
    @ValueSource(strings = {"service ls --filter colour=red", "node ls -f colour=red", "service ps -f colour=red web",
            "node ps -f colour=red", "node ls -f role=boss", "service ps -f desired-state=sleeping web", "service ls -f noequals",
            "events --filter colour=red", "events -f type=container"})
    void aBadFilterIsOneLineAndExitTwoBeforeTheDaemonIsAsked(String cmd) {
        Run r = run(("--host unix:///nonexistent/shoal.sock " + cmd).split(" "));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("Error: invalid") || r.err().startsWith("Error: bad format of filter"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"service ls", "node ls", "service ps web", "node ps", "network ls", "service inspect web",
            "node inspect self", "network inspect n"})
    void aMalformedTemplateIsOneLineAndExitTwoBeforeTheDaemonIsAsked(String cmd) {
        String[] base = ("--host unix:///nonexistent/shoal.sock " + cmd).split(" ");
        String[] args = Arrays.copyOf(base, base.length + 2);
        args[base.length] = "--format";
        args[base.length + 1] = "{{.Name";
        Run r = run(args);
        assertEquals(2, r.code(), r.err());
        assertEquals("Error: template: :1: unclosed action", r.err().strip());
    }

    @Test
    void aBadTimeForEventsIsBadUsage() {
        Run r = run("--host", "unix:///nonexistent/shoal.sock", "events", "--since", "yesterday");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("Error: --since: 'yesterday' is not a time"), r.err());
    }

    @Test
    void prettyAndFormatDoNotMix() {
        Run r = run("--host", "unix:///nonexistent/shoal.sock", "service", "inspect", "--pretty", "--format", "{{.ID}}", "web");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--format is incompatible with --pretty"), r.err());
    }

    @Test
    void clientCertRefusesBadInputBeforeAskingAnyone(@TempDir Path dir) throws Exception {
        Run shortLived = run("--host", "unix:///nonexistent/x.sock", "ca", "client-cert", "--out", dir.toString(), "--expiry", "30s");
        assertEquals(2, shortLived.code(), shortLived.err());
        assertTrue(shortLived.err().startsWith("Error: --expiry 30s is too short: use at least 1m"), shortLived.err());
        Run garbled = run("--host", "unix:///nonexistent/x.sock", "ca", "client-cert", "--out", dir.toString(), "--expiry", "soon");
        assertEquals(2, garbled.code(), garbled.err());
        Path file = Files.writeString(dir.resolve("file"), "x");
        Run notADir = run("--host", "unix:///nonexistent/x.sock", "ca", "client-cert", "--out", file.toString());
        assertEquals(2, notADir.code(), notADir.err());
        Files.writeString(dir.resolve("key.pem"), "mine");
        Run taken = run("--host", "unix:///nonexistent/x.sock", "ca", "client-cert", "--out", dir.toString());
        assertEquals(1, taken.code(), taken.err());
        assertTrue(taken.err().contains("key.pem already exists"), taken.err());
        assertEquals("mine", Files.readString(dir.resolve("key.pem")), "nothing overwritten");
        Run noOut = run("ca", "client-cert");
        assertEquals(2, noOut.code(), noOut.err());
    }

    @Test
    void caRefusesAnExternalRootAndFlagsWithoutRotateBeforeAskingAnyone() {
        Run external = run("--host", "unix:///nonexistent/x.sock", "ca", "--rotate", "--ca-cert", "root.pem", "--ca-key", "root-key.pem");
        assertEquals(2, external.code(), external.err());
        assertTrue(external.err().startsWith("Error: --ca-cert, --ca-key and --external-ca are not supported"), external.err());
        Run detachAlone = run("--host", "unix:///nonexistent/x.sock", "ca", "--detach");
        assertEquals(2, detachAlone.code(), detachAlone.err());
        assertTrue(detachAlone.err().startsWith("Error: --detach and --quiet go with --rotate"), detachAlone.err());
    }

    @Test
    void autolockCommandsRefuseBadInputWithOneLineAndExit2() {
        Run value = run("--host", "unix:///nonexistent/x.sock", "cluster", "update", "--autolock=maybe");
        assertEquals(2, value.code(), value.err());
        assertTrue(value.err().startsWith("Error: --autolock: 'maybe' is not true or false"), value.err());
        Run nothing = run("--host", "unix:///nonexistent/x.sock", "cluster", "update");
        assertEquals(2, nothing.code(), nothing.err());
        assertTrue(nothing.err().startsWith("Error: nothing to update: give --cert-expiry, --autolock or --network-key-rotation"), nothing.err());
        Run shortPeriod = run("--host", "unix:///nonexistent/x.sock", "cluster", "update", "--network-key-rotation", "1s");
        assertEquals(2, shortPeriod.code(), shortPeriod.err());
        assertTrue(shortPeriod.err().startsWith("Error: --network-key-rotation 1s is too short: use at least 5s"), shortPeriod.err());
        Run notDuration = run("--host", "unix:///nonexistent/x.sock", "cluster", "update", "--network-key-rotation", "soon");
        assertEquals(2, notDuration.code(), notDuration.err());
        assertTrue(notDuration.err().startsWith("Error: --network-key-rotation: "), notDuration.err());
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream("SHTKN-1-abc-def\n".getBytes(StandardCharsets.UTF_8)));
            Run notAKey = run("--host", "unix:///nonexistent/x.sock", "unlock");
            assertEquals(2, notAKey.code(), notAKey.err());
            assertTrue(notAKey.err().startsWith("Error: that is not an unlock key: it starts with SWMKEY-1-"), notAKey.err());
            System.setIn(new java.io.ByteArrayInputStream(new byte[0]));
            Run none = run("--host", "unix:///nonexistent/x.sock", "unlock");
            assertEquals(2, none.code(), none.err());
            assertTrue(none.err().startsWith("Error: no unlock key given on stdin"), none.err());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void initRefusesACertExpiryUnderAMinute() {
        Run r = run("--host", "unix:///nonexistent/x.sock", "init", "--cert-expiry", "59s");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("Error: --cert-expiry 59s is too short: use at least 1m"), r.err());
    }

    @Test
    void versionLinesNameTheBuildAndTheVersionCommandShowsTheClientEvenWithoutADaemon() {
        Run v = run("--version");
        assertEquals(0, v.code(), v.err());
        assertTrue(v.out().strip().matches("shoal version [0-9][0-9A-Za-z.+-]*, build ([0-9a-f]{12}|unknown)"), v.out());
        Run r = run("--host", "unix:///nonexistent/shoal.sock", "version");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.out().startsWith("Client:\n Version:"), r.out());
        assertTrue(r.out().contains(" API version:"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(" Java version:\\s+" + Runtime.version().feature() + "[.+].*")), r.out());
        assertEquals("Error: cannot reach the shoal daemon at unix:///nonexistent/shoal.sock: is 'shoal daemon' running?",
                r.err().strip());
        Run bad = run("--host", "unix:///nonexistent/shoal.sock", "version", "--format", "yaml");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("Error: --format: 'yaml' is not supported"), bad.err());
    }

    @Test
    void anUnreachableDaemonIsOneClearLine() {
        Run r = run("--host", "unix:///nonexistent/shoal.sock", "node", "ls");
        assertEquals(1, r.code());
        assertEquals("Error: cannot reach the shoal daemon at unix:///nonexistent/shoal.sock: is 'shoal daemon' running?",
                r.err().strip());
    }

    @Test
    void tablesAlignColumnsWithTwoSpaces() {
        String t = new Table("ID", "HOSTNAME").row("abc", "h1").row("a", "longer-host").render();
        assertEquals("ID   HOSTNAME\nabc  h1\na    longer-host\n", t);
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
    }

    @Test
    void durationsAreGoStyle() {
        assertEquals(Duration.ofMillis(500), Units.duration("500ms"));
        assertEquals(Duration.ofSeconds(90), Units.duration("1m30s"));
        assertEquals(Duration.ofMillis(3_723_500), Units.duration("1h2m3.5s"));
        assertEquals(Duration.ZERO, Units.duration("0"));
        for (String bad : new String[] {"10", "1x", "s", "1m30", "-1s", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Units.duration(bad), bad);
        }
    }

    @Test
    void sizesAreBinaryMultiples() {
        assertEquals(64L << 20, Units.bytes("64M"));
        assertEquals(1L << 30, Units.bytes("1G"));
        assertEquals(1536L << 20, Units.bytes("1.5g"));
        assertEquals(512L << 10, Units.bytes("512k"));
        assertEquals(1024, Units.bytes("1024"));
        assertThrows(IllegalArgumentException.class, () -> Units.bytes("lots"));
        assertThrows(IllegalArgumentException.class, () -> Units.bytes("12Q"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"secret", "secret create", "secret ls", "secret inspect", "secret rm",
            "config", "config create", "config ls", "config inspect", "config rm"})
    void secretAndConfigCommandsHaveHelp(String cmd) {
        Run r = run((cmd + " --help").split(" "));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: shoal " + cmd), r.out());
    }

    @Test
    void aMissingOrTooLargeFileIsOneLineAndExitOneBeforeAnythingIsSent() throws Exception {
        Run missing = run("--host", "unix:///nonexistent/x.sock", "secret", "create", "db", "/no/such/file");
        assertEquals(1, missing.code(), missing.err());
        assertEquals("Error: cannot read /no/such/file: no such file", missing.err().strip());
        Path big = Files.createTempFile("secret", ".bin");
        try {
            Files.write(big, new byte[500 * 1024]);
            Run tooBig = run("--host", "unix:///nonexistent/x.sock", "secret", "create", "db", big.toString());
            assertEquals(1, tooBig.code(), tooBig.err());
            assertEquals("Error: secret data must be larger than 0 and less than 500 KiB (" + big + " has more)", tooBig.err().strip());
            Files.write(big, new byte[1000 * 1024]);
            Run config = run("--host", "unix:///nonexistent/x.sock", "config", "create", "c", big.toString());
            assertEquals("Error: config data must be larger than 0 and less than 1000 KiB (" + big + " has more)", config.err().strip());
        } finally {
            Files.delete(big);
        }
    }

    @Test
    void theVersionAfterHostOptionsIsAnsweredAsPicocliAnswersIt() {
        for (String[] args : new String[][] {{"--version"}, {"-V"}, {"-H", "unix:///x.sock", "--version"},
                {"--host=unix:///x.sock", "-V"}, {"-Hunix:///x.sock", "--version"}}) {
            assertTrue(Main.versionOnly(args), String.join(" ", args));
            Run r = run(args);
            assertEquals(0, r.code(), r.err());
            assertEquals(RootCommand.versionLine() + System.lineSeparator(), r.out(), String.join(" ", args));
        }
        for (String[] args : new String[][] {{}, {"-H"}, {"-H", "--version"}, {"--version", "-H", "x"}, {"--help", "--version"},
                {"service", "--version"}, {"-H", "x", "version"}, {"--version", "--version"},
                {"-Hunix:///x.sock", "--host", "tcp://1.2.3.4:5", "--version"}}) {
            assertFalse(Main.versionOnly(args), String.join(" ", args));
        }
        assertEquals(2, run("-H", "unix:///x.sock", "--host", "unix:///y.sock", "--version").code(), "picocli refuses two --host");
    }

    @Test
    void aGroupsCommandIsBuiltAloneAndABareGroupWhole() {
        picocli.CommandLine ls = Main.commandLine(new String[] {"-H", "unix:///x.sock", "service", "list", "-q"});
        assertEquals(List.of("service"), List.copyOf(ls.getSubcommands().keySet()));
        assertEquals(List.of("ls", "list"), List.copyOf(ls.getSubcommands().get("service").getSubcommands().keySet()));
        picocli.CommandLine create = Main.commandLine(new String[] {"service", "--host", "unix:///x.sock", "create", "busybox", "-x"});
        assertTrue(create.getSubcommands().get("service").getSubcommands().get("create").isStopAtPositional());
        // no command of the group named, or another option before it: the group's whole subtree
        for (String[] args : new String[][] {{"service"}, {"service", "--help", "ls"}, {"service", "bogus"}}) {
            assertTrue(Main.commandLine(args).getSubcommands().get("service").getSubcommands().containsKey("update"), String.join(" ", args));
        }
        Run r = run("-H", "unix:///nonexistent/x.sock", "service", "ls", "--bogus");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("See 'shoal service ls --help'."), r.err());
        Run bare = run("service", "bogus");
        assertEquals(2, bare.code());
        assertTrue(bare.err().startsWith("Error: "), bare.err());
    }
}
