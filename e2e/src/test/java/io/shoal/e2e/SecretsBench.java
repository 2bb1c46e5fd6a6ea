package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: the time from {@code service create --secret} to the secret readable in
 * the container (its value read at /run/secrets/NAME through the container's own root), and, for
 * comparison, from a plain {@code service create} to the container's process running. Shoal (a
 * single manager that runs its own tasks) and Docker swarm mode (dockerd 20.10, a single node) in
 * the same run, each in a lab host of its own with the image already pulled; each CLI invoked
 * directly (Shoal's is a JVM: its start is part of what the user waits for). Rounds alternate
 * between the four cases; each service is removed after its round.
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dshoal.bench=true -Dit.test=SecretsBench [-Dshoal.bench.rounds=10]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class SecretsBench {
    private static final int ROUNDS = Integer.getInteger("shoal.bench.rounds", 10);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a case's containers appear, and how to tell one of them is ready. */
    private interface Runtime {
        /** The pid of the running container of service {@code name}, or -1. */
        long pid(String name) throws IOException;

        Lab.Result cli(String... args);
    }

    @Test
    void serviceCreateToSecretReadableShoalAndDocker() throws Exception {
        try (Lab lab = new Lab("shoal-bench-secrets")) {
            lab.close();
            // h1: Shoal's single node; h2 leaves Shoal and hosts dockerd instead
            assertEquals(0, lab.up(1, 1, "10.213.22").code());
            String image = lab.registry();
            String registry = image.substring(0, image.indexOf('/'));
            assertEquals(0, lab.cli("h2", "leave").code());
            lab.awaitCli("h1", Duration.ofSeconds(60), x -> x.code() == 0, "node", "rm", "--force", "h2");
            assertEquals(0, lab.host("stop", "h2").code());
            Path input = Files.createTempDirectory("secrets-bench");
            try (Dockerd dockerd = Dockerd.start(lab, "h2", registry, "docker-bench-secrets")) {
                Lab.Result init = dockerd.docker("swarm", "init", "--advertise-addr", lab.ip("h2"));
                assertEquals(0, init.code(), init.all());
                Runtime shoal = shoal(lab);
                Runtime docker = docker(dockerd);
                for (Runtime r : List.of(shoal, docker)) { // pull the image, warm both up
                    assertEquals(0, r.cli("service", "create", "--detach", "--name", "warm", image, "sleep", "3600").code());
                    await(() -> pidOf(r, "warm") > 0);
                    assertEquals(0, r.cli("service", "rm", "warm").code());
                }
                Series shoalSecret = new Series();
                Series dockerSecret = new Series();
                Series shoalPlain = new Series();
                Series dockerPlain = new Series();
                for (int i = 0; i < ROUNDS; i++) {
                    String value = "bench-" + UUID.randomUUID();
                    Path file = input.resolve("s" + i);
                    Files.writeString(file, value);
                    for (Runtime r : List.of(shoal, docker)) {
                        assertEquals(0, r.cli("secret", "create", "s" + i, file.toString()).code());
                        time(r == shoal ? shoalSecret : dockerSecret, r, "b" + i, value,
                                "service", "create", "--detach", "--name", "b" + i, "--secret", "s" + i, image, "sleep", "3600");
                        time(r == shoal ? shoalPlain : dockerPlain, r, "p" + i, null,
                                "service", "create", "--detach", "--name", "p" + i, image, "sleep", "3600");
                        assertEquals(0, r.cli("service", "rm", "b" + i, "p" + i).code());
                    }
                    Files.delete(file);
                }
                print("Shoal ", "service create --secret -> secret readable in the container", shoalSecret);
                print("Docker", "service create --secret -> secret readable in the container", dockerSecret);
                print("Shoal ", "service create -> container process running", shoalPlain);
                print("Docker", "service create -> container process running", dockerPlain);
            } finally {
                try (var left = Files.list(input)) {
                    for (Path f : left.toList()) {
                        Files.delete(f);
                    }
                }
                Files.delete(input);
            }
        }
    }

    /** One case's rounds: milliseconds until ready, and of those the CLI's own run until it exited. */
    private record Series(List<Long> total, List<Long> cli) {
        Series() {
            this(new ArrayList<>(), new ArrayList<>());
        }
    }

    /**
     * Runs the CLI command and adds to {@code into} the milliseconds until service {@code name}'s
     * container runs its command and, when {@code value} is given, reads it at /run/secrets/s{i}
     * (polled every 5 ms), and the CLI's own time.
     */
    private static void time(Series into, Runtime r, String name, String value, String... args) throws Exception {
        String secret = "/run/secrets/s" + name.substring(1);
        long t0 = System.nanoTime();
        Lab.Result c = r.cli(args);
        long cli = System.nanoTime() - t0;
        assertEquals(0, c.code(), c.all());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!ready(r, name, secret, value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " was not ready within 60 s");
            }
            Thread.sleep(5);
        }
        into.total().add((System.nanoTime() - t0) / 1_000_000);
        into.cli().add(cli / 1_000_000);
    }

    /** Service {@code name}'s container runs its command and, when {@code value} is given, reads it at {@code secret}. */
    private static boolean ready(Runtime r, String name, String secret, String value) {
        long pid = pidOf(r, name);
        if (pid <= 0 || !runsItsCommand(pid)) {
            return false;
        }
        if (value == null) {
            return true;
        }
        try {
            return value.equals(Files.readString(Path.of("/proc", String.valueOf(pid), "root", secret.substring(1)), StandardCharsets.UTF_8));
        } catch (IOException notYet) {
            return false; // not mounted yet, or the process is gone
        }
    }

    /** The container's process runs the service's command (not the runtime's init still waiting for its start). */
    private static boolean runsItsCommand(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8)
                    .startsWith("sleep");
        } catch (IOException e) {
            return false;
        }
    }

    private static long pidOf(Runtime r, String name) {
        try {
            return r.pid(name);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Shoal's CLI against h1's socket. One service is made at a time and each container is found
     * once: the service's container is the first bundle not taken before that has a pid file (the
     * pid of its process).
     */
    private static Runtime shoal(Lab lab) {
        Path bundles = lab.hostDir("h1").resolve("data/containers/bundles");
        String sock = "unix://" + lab.hostDir("h1").resolve("shoal.sock");
        Set<Path> seen = new HashSet<>();
        Map<String, Path> byName = new HashMap<>();
        return new Runtime() {
            @Override
            public long pid(String name) throws IOException {
                Path mine = byName.get(name);
                if (mine == null) {
                    try (var dirs = Files.list(bundles)) {
                        mine = dirs.filter(b -> !seen.contains(b) && Files.exists(b.resolve("pidfile"))).findFirst().orElse(null);
                    }
                    if (mine == null) {
                        return -1;
                    }
                    seen.add(mine);
                    byName.put(name, mine);
                }
                return Long.parseLong(Files.readString(mine.resolve("pidfile")).trim());
            }

            @Override
            public Lab.Result cli(String... args) {
                List<String> cmd = new ArrayList<>(List.of(Lab.REPO.resolve("shoal").toString(), "--host", sock));
                cmd.addAll(List.of(args));
                return Lab.run(cmd, Duration.ofMinutes(2));
            }
        };
    }

    /** dockerd's containers: config.v2.json per container, with its name (/SERVICE.SLOT.TASK) and pid once running. */
    private static Runtime docker(Dockerd dockerd) {
        return new Runtime() {
            @Override
            public long pid(String name) throws IOException {
                if (!Files.isDirectory(dockerd.containers())) {
                    return -1;
                }
                try (var dirs = Files.list(dockerd.containers())) {
                    for (Path c : dirs.toList()) {
                        Path config = c.resolve("config.v2.json");
                        JsonNode j;
                        try {
                            j = JSON.readTree(Files.readAllBytes(config));
                        } catch (IOException partial) {
                            continue; // not written yet, or being rewritten
                        }
                        if (j.path("Name").asText().startsWith("/" + name + ".") && j.path("State").path("Running").asBoolean()) {
                            return j.path("State").path("Pid").asLong(-1);
                        }
                    }
                }
                return -1;
            }

            @Override
            public Lab.Result cli(String... args) {
                return dockerd.docker(args);
            }
        };
    }

    private static void await(Supplier<Boolean> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!done.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(50);
        }
    }

    private static void print(String who, String what, Series series) {
        List<Long> s = new ArrayList<>(series.total());
        List<Long> cli = new ArrayList<>(series.cli());
        Collections.sort(s);
        Collections.sort(cli);
        System.out.printf("secrets: %s %s: median %d ms, p90 %d ms, min %d ms, max %d ms (%d rounds); the CLI's own run median %d ms%n",
                who, what, s.get(s.size() / 2), s.get((int) Math.ceil(s.size() * 0.9) - 1), s.get(0), s.get(s.size() - 1), s.size(),
                cli.get(cli.size() / 2));
    }
}
