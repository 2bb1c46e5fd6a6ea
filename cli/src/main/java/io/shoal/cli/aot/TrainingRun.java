package io.shoal.cli.aot;

import io.shoal.cli.Main;
import io.shoal.cli.RootCommand;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the client's AOT cache is recorded from (the launcher runs it with {@code -XX:AOTCacheOutput}
 * at package time): the commonest client commands, each run a few times, against a stand-in daemon
 * ({@link StandInDaemon}, in a JVM of its own) on a unix socket that answers {@code service ls} and
 * {@code node ls} with one service and one node.
 * The cache then holds the classes those commands load, linked, and the profile of their methods.
 * Exits 1 when a command fails, so a broken training run is seen rather than a silently cold cache.
 * With an argument, it then writes {@code shoal --version}'s line to that file (the launcher's
 * lib/version.txt).
 */
public final class TrainingRun {
    /**
     * The commands trained on: what users and scripts run most. Their JSON is written without
     * Jackson ({@code JsonWriter}), so the cache holds none of Jackson's ~470 classes, which every
     * client would otherwise load and link at start.
     */
    static final List<List<String>> COMMANDS = List.of(
            List.of("service", "ls"), List.of("node", "ls"), List.of("service", "ls", "--format", "json"),
            List.of("node", "ls", "--format", "json"), List.of("node", "ls", "-q"));

    /** By name: a class literal would load it here, and the cache would link its Netty types in. */
    private static final String STAND_IN = "io.shoal.cli.aot.StandInDaemon";

    private TrainingRun() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("shoal-aot-");
        Path sock = dir.resolve("shoal.sock");
        // the stand-in daemon runs in a JVM of its own, so that its server (Netty, grpc-core) stays
        // out of the cache: the client's unary calls load neither
        String java = ProcessHandle.current().info().command().orElse("java");
        Process daemon = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), STAND_IN, sock.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int failed = 0;
        try {
            BufferedReader ready = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = ready.readLine()) != null && !line.equals("ready")) {
                System.out.println("training daemon: " + line);
            }
            if (line == null) {
                throw new IllegalStateException("the training daemon did not start (exit " + daemon.waitFor() + ")");
            }
            System.out.println(RootCommand.versionLine());
            Main.startClient(false);
            for (int round = 0; round < 3; round++) {
                for (List<String> c : COMMANDS) {
                    String[] a = new String[c.size() + 2];
                    a[0] = "--host";
                    a[1] = "unix://" + sock;
                    for (int i = 0; i < c.size(); i++) {
                        a[i + 2] = c.get(i);
                    }
                    Main.callEarly(a); // as Main.main does: the early call and the call that takes it
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ByteArrayOutputStream err = new ByteArrayOutputStream();
                    if (Main.run(a, new PrintStream(out, true), new PrintStream(err, true)) != 0) {
                        System.err.println("training: shoal " + String.join(" ", c) + " failed: " + err.toString().strip());
                        failed++;
                    }
                }
            }
        } finally {
            daemon.getOutputStream().close(); // the stand-in stops when its stdin closes
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
        if (failed == 0 && args.length > 0) {
            // the launcher answers a lone `shoal --version` from this file (docs/operations.md, "A fast CLI")
            Path version = Path.of(args[0]);
            Path tmp = version.resolveSibling(version.getFileName() + ".tmp");
            Files.writeString(tmp, RootCommand.versionLine() + "\n");
            Files.move(tmp, version, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
