package io.shoal.cli.daemon;

import io.shoal.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** daemon.json: its keys are the daemon's flags, flags win, and a bad file is one line before anything starts. */
class DaemonConfigFileTest {
    @TempDir
    Path dir;

    private DaemonCommand parse(String... args) {
        DaemonCommand c = new DaemonCommand();
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void theFileSetsWhatTheFlagsLeaveAndFlagsWin() throws IOException {
        Path f = Files.writeString(dir.resolve("daemon.json"), """
                {"log-level": "debug", "log-format": "json", "runtime": "crun", "snapshot-interval": 500,
                 "insecure-registries": ["10.0.0.1:5000", "10.0.0.2:5000"], "data-dir": "/srv/shoal"}
                """);
        DaemonCommand c = parse("--config-file", f.toString(), "--log-level", "warn", "--insecure-registry", "h1:5000");
        c.applyConfigFile();
        assertEquals("warn", c.logLevel, "the flag wins");
        assertEquals("json", c.logFormat);
        assertEquals("crun", c.runtime);
        assertEquals(500, c.snapshotInterval);
        assertEquals(List.of("h1:5000"), c.insecureRegistries, "a flag given replaces the file's list");
        assertEquals(Path.of("/srv/shoal"), c.dataDir);
        assertEquals("0.0.0.0:4242", c.listenAddr, "neither: the default");
    }

    @Test
    void noFileAtTheDefaultPlaceIsFineButAMissingNamedFileIsNot() {
        DaemonCommand c = parse("--data-dir", "/x");
        List<String> none = DaemonConfigFile.arguments(dir.resolve("absent.json"), new CommandLine(c).getCommandSpec(), false);
        assertEquals(List.of(), none);
        Run r = run("daemon", "--config-file", dir.resolve("absent.json").toString(), "--data-dir", dir.resolve("data").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals("Error: " + dir.resolve("absent.json") + ": no such file", r.err().lines().findFirst().orElse(""));
    }

    @Test
    void badFilesAreOneLineNamingTheFileAndTheKeyAndChangeNothing() throws IOException {
        String[][] cases = {
                {"{\"log-levle\": \"debug\"}", ": unknown key 'log-levle' (the keys are the daemon's flags without dashes: "},
                {"{\"snapshot-interval\": \"often\"}", ": 'snapshot-interval' must be a whole number, not a string"},
                {"{\"log-level\": 3}", ": 'log-level' must be a string, not a number"},
                {"{\"insecure-registries\": [1]}", ": 'insecure-registries' must be a string, not a number"},
                {"{\"log-level\": \"debug\",}", ": not valid JSON (line 1"},
                {"[\"log-level\"]", ": must hold one JSON object of flag names and values"},
                {"{\"log-level\": \"loud\"}", "--log-level: 'loud' is not a log level; use debug, info, warn, error or fatal"},
                {"{\"config-file\": \"/etc/other.json\"}", ": unknown key 'config-file'"},
        };
        for (String[] c : cases) {
            Path f = Files.writeString(dir.resolve("daemon.json"), c[0]);
            Path data = dir.resolve("data");
            Run r = run("daemon", "--config-file", f.toString(), "--data-dir", data.toString());
            assertEquals(2, r.code(), c[0] + " -> " + r.err());
            assertEquals(1, r.err().lines().filter(l -> l.startsWith("Error: ")).count(), r.err());
            assertTrue(r.err().startsWith("Error: "), r.err());
            assertTrue(r.err().contains(c[1]), c[0] + " -> " + r.err());
            assertFalse(Files.exists(data), "nothing made for " + c[0]);
        }
    }

    record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
