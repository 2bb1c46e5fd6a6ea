package io.shoal.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fast CLI's client classpath (docs/operations.md, "A fast CLI"): the launcher runs client commands on
 * {@code lib/client.classpath} alone, which holds none of the daemon's jars, and they work against a
 * real one-node lab (whose daemon runs on every jar); {@code --version} answers without a daemon.
 * The JVM's own report of its class path ({@code -XshowSettings:properties}) is what is checked, so
 * a launcher that quietly fell back to every jar fails here.
 */
class ClientClasspathIT {
    /** Jars only the daemon needs: none may be on a client's class path. */
    private static final List<String> DAEMON_ONLY = List.of("shoal-node-", "shoal-manager-", "shoal-worker-", "shoal-engine-api-",
            "shoal-overlay-net-", "shoal-scheduler-", "ratis-", "bcprov-", "bcpkix-", "micrometer-", "netty-transport-4", "zstd-jni-");
    private static Lab lab;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-clientcp");
        lab.close();
        Lab.Result r = lab.up(1, 0, "10.213.41");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    /** {@code ./shoal ARGS} with the JVM printing its settings (stderr), against h1's socket. */
    private static Lab.Result shoal(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Lab.REPO.resolve("shoal").toString(),
                "-H", "unix://" + lab.hostDir("h1").resolve("shoal.sock")));
        cmd.addAll(Arrays.asList(args));
        return Lab.run(cmd, Duration.ofSeconds(60), Map.of("SHOAL_JAVA_OPTS", "-XshowSettings:properties"));
    }

    /** The class path the JVM reports: the lines of {@code java.class.path = ...} and its continuations. */
    private static List<String> classPath(String settings) {
        List<String> entries = new ArrayList<>();
        boolean in = false;
        for (String line : settings.split("\n")) {
            if (line.strip().startsWith("java.class.path = ")) {
                in = true;
                entries.add(line.strip().substring("java.class.path = ".length()));
            } else if (in && line.startsWith("        ")) {
                entries.add(line.strip());
            } else {
                in = false;
            }
        }
        return entries;
    }

    private static void assertClientOnly(Lab.Result r) {
        List<String> cp = classPath(r.err());
        assertFalse(cp.isEmpty(), "the JVM reported no class path:\n" + r.err());
        assertTrue(cp.stream().anyMatch(e -> e.contains("picocli-")) && cp.stream().anyMatch(e -> e.contains("grpc-netty-shaded-")),
                "not the client's class path: " + cp);
        for (String e : cp) {
            assertFalse(e.endsWith("/*"), "a wildcard (every jar) on the client's class path: " + e);
            for (String d : DAEMON_ONLY) {
                assertFalse(e.substring(e.lastIndexOf('/') + 1).startsWith(d), "a daemon jar on the client's class path: " + e);
            }
        }
    }

    @Test
    void clientCommandsRunWithoutTheDaemonsJars() {
        Lab.Result version = shoal("--version");
        assertEquals(0, version.code(), version.all());
        assertTrue(version.out().startsWith("shoal version "), version.out());
        assertClientOnly(version);

        Lab.Result nodes = shoal("node", "ls");
        assertEquals(0, nodes.code(), nodes.all());
        assertTrue(nodes.out().contains("Leader") && nodes.out().contains("h1"), nodes.out());
        assertClientOnly(nodes);

        Lab.Result create = shoal("service", "create", "--name", "cp", "--replicas", "0", "busybox", "true");
        assertEquals(0, create.code(), create.all());
        Lab.Result services = shoal("service", "ls");
        assertEquals(0, services.code(), services.all());
        assertTrue(services.out().lines().anyMatch(l -> l.contains(" cp ") && l.contains("0/0")), services.out());
        assertClientOnly(services);
    }

    /**
     * Unary calls over the unix socket take the light HTTP/2 client: the JVM's class-load log of
     * {@code node ls} and {@code service ls} names no Netty and no grpc-core class, and a lone
     * {@code --version} starts no JVM at all (a java that fails would show). Their JSON is written
     * without Jackson: no class of jackson-databind is loaded, neither by the command nor from the
     * AOT cache (which loads every class it holds at start); nor is the JDK's logging or its
     * {@code Formatter}, which protobuf's and gRPC's class initializers set up as published.
     */
    @Test
    void unaryCommandsLoadNoNettyAndALoneVersionStartsNoJvm() throws IOException {
        for (List<String> args : List.of(List.of("node", "ls"), List.of("service", "ls"),
                List.of("node", "ls", "--format", "json"), List.of("service", "ls", "--format", "json"))) {
            Path log = Files.createTempFile("clientcp-classes", ".log");
            try {
                List<String> cmd = new ArrayList<>(List.of(Lab.REPO.resolve("shoal").toString(),
                        "-H", "unix://" + lab.hostDir("h1").resolve("shoal.sock")));
                cmd.addAll(args);
                Lab.Result r = Lab.run(cmd, Duration.ofSeconds(60),
                        Map.of("SHOAL_JAVA_OPTS", "-Xlog:class+load=info:file=" + log));
                assertEquals(0, r.code(), r.all());
                List<String> loaded = Files.readAllLines(log);
                assertTrue(loaded.stream().anyMatch(l -> l.contains("io.shoal.cli.client.Http2Connection")),
                        "the light client was not used for " + args);
                List<String> heavy = loaded.stream()
                        .filter(l -> l.contains("io.grpc.netty.") || l.contains("io.grpc.internal.")).limit(5).toList();
                assertTrue(heavy.isEmpty(), args + " loaded " + heavy);
                List<String> jackson = loaded.stream().filter(l -> l.contains("com.fasterxml.jackson.databind.")).limit(5).toList();
                assertTrue(jackson.isEmpty(), args + " loaded " + jackson);
                // protobuf's and gRPC's classes initialize without a logger or String.format (ClassInitRewrite)
                List<String> logging = loaded.stream()
                        .filter(l -> l.contains("java.util.logging.LogManager ") || l.contains("java.util.Formatter ")).toList();
                assertTrue(logging.isEmpty(), args + " loaded " + logging);
                if (args.contains("json")) { // Jackson's layout: "[ ]" without rows, "[ {" and "key" : value with
                    assertTrue(r.out().startsWith("[ ") && r.out().strip().endsWith("]"), args + " printed " + r.out());
                    assertTrue(!args.contains("node") || r.out().contains("\n  \"Hostname\" : \"h1\",\n"), args + " printed " + r.out());
                }
            } finally {
                Files.deleteIfExists(log);
            }
        }
        Lab.Result version = Lab.run(List.of(Lab.REPO.resolve("shoal").toString(), "--version"), Duration.ofSeconds(60),
                Map.of("SHOAL_JAVA", "/bin/false"));
        assertEquals(0, version.code(), version.all());
        assertTrue(version.out().startsWith("shoal version "), version.out());
    }

    @Test
    void theClassPathFileNamesNoDaemonJar() throws IOException {
        Path file = Lab.REPO.resolve("cli/target/lib/client.classpath");
        String cp = Files.readString(file).strip();
        for (String e : cp.split(":")) {
            assertTrue(Files.isRegularFile(Lab.REPO.resolve("cli/target").resolve(e)), file + " names a missing jar: " + e);
            for (String d : DAEMON_ONLY) {
                assertFalse(e.substring(e.lastIndexOf('/') + 1).startsWith(d), file + " names a daemon jar: " + e);
            }
        }
    }
}
