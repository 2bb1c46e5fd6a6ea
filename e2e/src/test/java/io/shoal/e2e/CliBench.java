package io.shoal.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: the wall time of a CLI command, from starting the process to its exit, as
 * the user waits for it (docs/operations.md, "A fast CLI"). Each of {@code shoal --version},
 * {@code shoal service ls} and {@code shoal node ls} runs N times (default 20) against a one-node
 * lab holding one service; printed as min/median/max. With Docker's engine installed, the same
 * commands of Debian's docker CLI against a one-node Docker swarm holding one service on the lab's
 * second host, in the same run (skip with -Dshoal.bench.docker=false).
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dit.test=CliBench [-Dshoal.bench.runs=20]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class CliBench {
    private static final int RUNS = Integer.getInteger("shoal.bench.runs", 20);

    @Test
    void clientCommandsWallTime() throws Exception {
        try (Lab lab = new Lab("shoal-bench-cli")) {
            lab.close();
            // h1: Shoal's single node; h2 leaves Shoal and hosts dockerd instead
            Lab.Result up = lab.up(1, 1, "10.213.43");
            assertEquals(0, up.code(), up.all());
            assertEquals(0, lab.cli("h2", "leave").code());
            lab.awaitCli("h1", Duration.ofSeconds(60), x -> x.code() == 0, "node", "rm", "--force", "h2");
            assertEquals(0, lab.host("stop", "h2").code());
            Lab.Result create = lab.cli("h1", "service", "create", "--name", "bench", "--replicas", "0", "busybox", "true");
            assertEquals(0, create.code(), create.all());

            List<String> shoal = List.of(Lab.REPO.resolve("shoal").toString(), "-H", "unix://" + lab.hostDir("h1").resolve("shoal.sock"));
            report("shoal --version", shoal, "--version");
            report("shoal service ls", shoal, "service", "ls");
            report("shoal node ls", shoal, "node", "ls");

            boolean withDocker = !"false".equals(System.getProperty("shoal.bench.docker"))
                    && Files.isExecutable(Path.of("/usr/sbin/dockerd")) && Files.isExecutable(EngineApiIT.DOCKER);
            if (!withDocker) {
                System.out.println("cli: Docker not measured (no dockerd, or -Dshoal.bench.docker=false)");
                return;
            }
            try (Dockerd d = Dockerd.start(lab, "h2", "127.0.0.1:5000", "docker-bench-cli")) {
                Lab.Result init = d.docker("swarm", "init", "--advertise-addr", lab.ip("h2"));
                assertEquals(0, init.code(), init.all());
                Lab.Result svc = d.docker("service", "create", "-d", "-q", "--name", "bench", "--replicas", "0", "busybox", "true");
                assertEquals(0, svc.code(), svc.all());
                List<String> docker = List.of(EngineApiIT.DOCKER.toString(), "-H", "unix://" + d.sock);
                report("docker --version", docker, "--version");
                report("docker service ls", docker, "service", "ls");
                report("docker node ls", docker, "node", "ls");
            }
        }
    }

    /** Runs {@code base + args} RUNS times (after one unmeasured run) and prints min/median/max. */
    private static void report(String label, List<String> base, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(base);
        cmd.addAll(List.of(args));
        run(cmd);
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            ms.add(run(cmd));
        }
        Collections.sort(ms);
        System.out.printf("cli: %-20s %d runs: min %.0f ms, median %.0f ms, max %.0f ms%n", label, RUNS, ms.getFirst(),
                ms.get(ms.size() / 2), ms.getLast());
    }

    /** Milliseconds from starting {@code cmd} to its exit; fails unless it exits 0. */
    private static double run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not end within 60 s");
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed");
        return ms;
    }
}
