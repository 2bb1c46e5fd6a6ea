package io.shoal.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `shoal stack`: usage, bad files refused before the daemon is asked anything, `stack config`. */
class StackCliTest {
    /** No daemon listens here: a command that reaches for it fails with "cannot reach". */
    private static final String NOWHERE = "unix:///nonexistent/shoal-stack-test.sock";

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"stack", "stack deploy", "stack ls", "stack services", "stack ps", "stack rm", "stack config"})
    void everyStackCommandHasHelp(String cmd) {
        Run r = run((cmd + " --help").split(" "));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Usage: shoal " + cmd), r.out());
    }

    @Test
    void configPrintsTheMergedInterpolatedFiles(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("app.yml"), "version: '3.9'\nservices:\n  web:\n    image: nginx:${TAG:-1.25}\n    ports: ['8080:80']\n    build: .\n");
        Files.writeString(dir.resolve("more.yml"), "services:\n  web:\n    deploy: {replicas: 3}\n");
        Run r = run("stack", "config", "-c", dir.resolve("app.yml").toString(), "-c", dir.resolve("more.yml").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("image: nginx:1.25"), r.out());
        assertTrue(r.out().contains("replicas: 3") && r.out().contains("published: 8080"), r.out());
        assertEquals("Ignoring unsupported options: build", r.err().strip());
    }

    @Test
    void anInvalidFileIsRefusedBeforeTheDaemonIsAsked(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("app.yml");
        Files.writeString(f, "services:\n  web:\n    image: nginx\n    ports: ['80:80', '80:abc']\n");
        Run r = run("--host", NOWHERE, "stack", "deploy", "-c", f.toString(), "app");
        assertEquals(1, r.code(), r.err());
        assertEquals("Error: " + f + ": services.web.ports[1]: invalid port \"80:abc\"", r.err().strip());
        Files.writeString(f, "services:\n  web:\n    image: nginx:${TAG:?set TAG to the release}\n");
        r = run("--host", NOWHERE, "stack", "deploy", "-c", f.toString(), "app");
        assertEquals("Error: " + f + ": services.web.image: required variable TAG is missing a value: set TAG to the release", r.err().strip());
        Files.writeString(f, "services:\n  web:\n    image: nginx\n");
        r = run("--host", NOWHERE, "stack", "deploy", "-c", f.toString(), "my app");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("Error: invalid stack name \"my app\""), r.err());
        // a valid file does reach for the daemon
        r = run("--host", NOWHERE, "stack", "deploy", "-c", f.toString(), "app");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("cannot reach the shoal daemon"), r.err());
    }

    @Test
    void missingFilesAndBadFlagsAreOneLine(@TempDir Path dir) {
        Run missing = run("--host", NOWHERE, "stack", "deploy", "-c", dir.resolve("nope.yml").toString(), "app");
        assertEquals(1, missing.code());
        assertEquals("Error: open " + dir.resolve("nope.yml") + ": no such file or directory", missing.err().strip());
        Run resolve = run("--host", NOWHERE, "stack", "deploy", "--resolve-image", "sometimes", "-c", "x.yml", "app");
        assertEquals(2, resolve.code());
        assertTrue(resolve.err().contains("'sometimes' is not one of always, changed, never"), resolve.err());
        Run noFile = run("--host", NOWHERE, "stack", "deploy", "app");
        assertEquals(2, noFile.code());
        assertTrue(noFile.err().contains("--compose-file"), noFile.err());
    }
}
