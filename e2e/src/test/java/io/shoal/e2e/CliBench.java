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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: the wall time of a CLI command, from starting the process to its exit, as
 * the user waits for it (docs/operations.md, "A fast CLI"). Each of {@code shoal --version},
 * {@code shoal service ls} and {@code shoal node ls} (as tables and as {@code --format json}) runs N
 * times (default 20) against a one-node lab holding one service; printed as min/median/max. With Docker's engine installed, the same
 * commands of Debian's docker CLI against a one-node Docker swarm holding one service on the lab's
 * second host, in the same run (skip with -Dshoal.bench.docker=false). With
 * {@code -Dshoal.bench.compare=PATH}, another build's launcher (e.g. main's, for a before/after
 * figure) runs each command too, alternating run by run with this one's so that both see the same load.
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dit.test=CliBench [-Dshoal.bench.runs=20] \
 *     [-Dshoal.bench.compare=/path/to/other/shoal]
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

            String sock = "unix://" + lab.hostDir("h1").resolve("shoal.sock");
            Map<String, List<String>> shoal = new LinkedHashMap<>();
            shoal.put("shoal", List.of(Lab.REPO.resolve("shoal").toString(), "-H", sock));
            String compare = System.getProperty("shoal.bench.compare", "");
            if (!compare.isEmpty()) {
                shoal.put("compared", List.of(compare, "-H", sock));
            }
            report(shoal, "--version");
            report(shoal, "service", "ls");
            report(shoal, "node", "ls");
            report(shoal, "service", "ls", "--format", "json");
            report(shoal, "node", "ls", "--format", "json");

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
                Map<String, List<String>> docker = Map.of("docker", List.of(EngineApiIT.DOCKER.toString(), "-H", "unix://" + d.sock));
                report(docker, "--version");
                report(docker, "service", "ls");
                report(docker, "node", "ls");
            }
        }
    }

    /**
     * Runs each of {@code bases} (by label) + {@code args} RUNS times, after one unmeasured run each,
     * alternating between them run by run, and prints min/median/max of each.
     */
    private static void report(Map<String, List<String>> bases, String... args) throws IOException, InterruptedException {
        Map<String, List<Double>> ms = new LinkedHashMap<>();
        Map<String, List<String>> cmds = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> b : bases.entrySet()) {
            List<String> cmd = new ArrayList<>(b.getValue());
            cmd.addAll(List.of(args));
            cmds.put(b.getKey(), cmd);
            ms.put(b.getKey(), new ArrayList<>());
            run(cmd);
        }
        for (int i = 0; i < RUNS; i++) {
            for (Map.Entry<String, List<String>> c : cmds.entrySet()) {
                ms.get(c.getKey()).add(run(c.getValue()));
            }
        }
        for (Map.Entry<String, List<Double>> m : ms.entrySet()) {
            List<Double> v = m.getValue();
            Collections.sort(v);
            System.out.printf("cli: %-28s %d runs: min %.0f ms, median %.0f ms, max %.0f ms%n", m.getKey() + " " + String.join(" ", args),
                    RUNS, v.getFirst(), v.get(v.size() / 2), v.getLast());
        }
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
