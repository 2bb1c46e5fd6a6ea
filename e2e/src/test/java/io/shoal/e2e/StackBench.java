package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.Service;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: {@code stack deploy} of a 10-service stack (one busybox task each, one
 * network), timed from the command's start until every task is RUNNING, and a redeploy of the
 * unchanged file (the command's own time); the same file with Docker 20.10's {@code docker stack
 * deploy} on a one-node swarm on this machine ({@link DockerEngine}), side by side, rounds of each.
 * Shoal runs on a lab of one manager and {@code shoal.bench.workers} workers (default 2).
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dit.test=StackBench
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class StackBench {
    private static final int SERVICES = 10;
    private static final int ROUNDS = Integer.getInteger("shoal.bench.rounds", 3);
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final Duration POLL = Duration.ofMillis(25);

    static String compose() {
        StringBuilder b = new StringBuilder("version: \"3.9\"\nservices:\n");
        for (int i = 1; i <= SERVICES; i++) {
            b.append("  s").append(i).append(":\n    image: ${IMAGE}\n    command: [\"sleep\", \"3600\"]\n    networks: [app]\n");
        }
        return b.append("networks:\n  app:\n").toString();
    }

    /**
     * Polls {@code done} every {@link #POLL} (a busy loop would take a core from the engines being
     * measured on a 2-core machine) and returns the ms since {@code t0} when it first held.
     */
    private static long until(long t0, BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - t0 > TIMEOUT.toNanos()) {
                throw new AssertionError("the stack did not converge within " + TIMEOUT);
            }
            Thread.sleep(POLL);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void deployTenServicesOnShoalAndDocker() throws Exception {
        Path dir = Files.createTempDirectory("shoal-bench-stack");
        Path file = dir.resolve("bench.yml");
        Files.writeString(file, compose());
        int workers = Integer.getInteger("shoal.bench.workers", 2);
        List<String> shoalRows = new ArrayList<>();
        List<String> dockerRows = new ArrayList<>();
        try (Lab lab = new Lab("shoal-bench-stack")) {
            lab.close();
            assertEquals(0, lab.up(1, workers, "10.213.16").code());
            String image = lab.lab(Duration.ofMinutes(2), "registry", "--name", lab.name, "--dir", lab.dir.toString()).out().strip();
            Map<String, String> env = Map.of("IMAGE", image);
            List<String> cli = List.of(Lab.REPO.resolve("deploy/lab.sh").toString(), "cli", "--name", lab.name, "--dir", lab.dir.toString(), "h1");
            ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
            try (DockerEngine docker = new DockerEngine("shoal-bench-dockerref", "10.213.216.2/24")) {
                var control = ControlGrpc.newBlockingStub(ch);
                BooleanSupplier shoalRunning = () -> {
                    ListServicesResponse r = control.listServices(ListServicesRequest.getDefaultInstance());
                    List<Service> ours = r.getServicesList().stream()
                            .filter(s -> "bench".equals(s.getSpec().getAnnotations().getLabelsMap().get("com.docker.stack.namespace"))).toList();
                    return ours.size() == SERVICES && ours.stream().allMatch(s -> r.getRunningOrDefault(s.getId(), 0) == 1);
                };
                BooleanSupplier shoalGone = () -> control.listServices(ListServicesRequest.getDefaultInstance()).getServicesCount() == 0;
                docker.swarmInit();
                docker.load(lab.dir.resolve("registry/oci"), "busybox", image);
                BooleanSupplier dockerRunning = () -> {
                    Lab.Result ps = docker.docker("stack", "ps", "bench", "--filter", "desired-state=running", "--format", "{{.CurrentState}}");
                    List<String> states = ps.out().lines().toList();
                    return states.size() == SERVICES && states.stream().allMatch(s -> s.startsWith("Running"));
                };
                BooleanSupplier dockerGone = () -> docker.docker("ps", "-q").out().isBlank()
                        && docker.docker("network", "ls", "-q", "--filter", "label=com.docker.stack.namespace=bench").out().isBlank();
                for (int round = 0; round <= ROUNDS; round++) {
                    List<String> deploy = new ArrayList<>(cli);
                    deploy.addAll(List.of("stack", "deploy", "-c", file.toString(), "bench"));
                    long t0 = System.nanoTime();
                    assertEquals(0, Lab.run(deploy, TIMEOUT, env).code());
                    long running = until(t0, shoalRunning);
                    long r0 = System.nanoTime();
                    assertEquals(0, Lab.run(deploy, TIMEOUT, env).code());
                    long redeploy = (System.nanoTime() - r0) / 1_000_000;
                    List<String> rm = new ArrayList<>(cli);
                    rm.addAll(List.of("stack", "rm", "bench"));
                    assertEquals(0, Lab.run(rm, TIMEOUT).code());
                    until(System.nanoTime(), shoalGone);

                    t0 = System.nanoTime();
                    assertEquals(0, docker.docker(env, "stack", "deploy", "--resolve-image", "never", "-c", file.toString(), "bench").code());
                    long dRunning = until(t0, dockerRunning);
                    r0 = System.nanoTime();
                    assertEquals(0, docker.docker(env, "stack", "deploy", "--resolve-image", "never", "-c", file.toString(), "bench").code());
                    long dRedeploy = (System.nanoTime() - r0) / 1_000_000;
                    assertEquals(0, docker.docker("stack", "rm", "bench").code());
                    until(System.nanoTime(), dockerGone);
                    if (round > 0) {
                        // round 0 warms the image caches, the JIT and the networks' first use
                        shoalRows.add(running + " / " + redeploy);
                        dockerRows.add(dRunning + " / " + dRedeploy);
                    }
                }
            } finally {
                ch.shutdownNow();
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        System.out.printf("StackBench: %d services x 1 task; ms from `stack deploy` to all RUNNING / ms of a no-change redeploy%n", SERVICES);
        System.out.printf("  shoal  (1 manager + %d workers): %s%n", workers, shoalRows);
        System.out.printf("  docker (1-node swarm, 20.10):     %s%n", dockerRows);
    }
}
