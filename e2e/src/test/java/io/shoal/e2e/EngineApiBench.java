package io.shoal.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: prints figures. The same docker CLI (Debian's 20.10) against Shoal's
 * Engine API and against Docker swarm mode (dockerd 20.10), each a single node inside the same
 * kind of lab host (a network namespace), with the same services:
 * <ul>
 *   <li>latency of {@code docker service ls} with S services (median and p90 over N runs);</li>
 *   <li>{@code docker service create --replicas 50} of a busybox {@code sleep} from the lab's
 *       registry, until the CLI reports every task running (its own convergence wait).</li>
 * </ul>
 * dockerd runs only for the benchmark, with its own data-root, exec-root and socket under the lab's
 * directory, inside the lab host's network namespace, and is stopped (its swarm left) afterwards.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dshoal.bench=true -Dit.test=EngineApiBench [-Dshoal.bench.runs=20 -Dshoal.bench.services=10 -Dshoal.bench.replicas=50]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class EngineApiBench {
    private static final int RUNS = Integer.getInteger("shoal.bench.runs", 20);
    private static final int SERVICES = Integer.getInteger("shoal.bench.services", 10);
    private static final int REPLICAS = Integer.getInteger("shoal.bench.replicas", 50);

    @Test
    void dockerCliAgainstShoalAndDockerd() throws Exception {
        try (Lab lab = new Lab("shoal-bench-engineapi")) {
            lab.close();
            // h1: Shoal's single node; h2 leaves Shoal and hosts dockerd instead
            Lab.Result up = lab.up(1, 1, "10.213.11");
            assertEquals(0, up.code(), up.all());
            String image = lab.registry();
            String registry = image.substring(0, image.indexOf('/'));
            assertEquals(0, lab.cli("h2", "leave").code());
            lab.awaitCli("h1", Duration.ofSeconds(60), x -> x.code() == 0, "node", "rm", "--force", "h2");
            assertEquals(0, lab.host("stop", "h2").code());
            String shoalSock = lab.hostDir("h1").resolve("docker.sock").toString();
            Lab.Result restart = lab.lab(Duration.ofMinutes(2), "restart", "--name", lab.name, "--dir", lab.dir.toString(), "h1",
                    "--docker-api", "unix://" + shoalSock);
            assertEquals(0, restart.code(), restart.all());

            try (Dockerd dockerd = Dockerd.start(lab, "h2", registry, "docker-bench")) {
                String dockerSock = dockerd.sock;
                Lab.Result init = docker(dockerSock, "swarm", "init", "--advertise-addr", lab.ip("h2"));
                assertEquals(0, init.code(), init.all());
                for (String sock : List.of(shoalSock, dockerSock)) {
                    String who = sock.equals(shoalSock) ? "Shoal  " : "dockerd";
                    for (int i = 0; i < SERVICES; i++) {
                        Lab.Result c = docker(sock, "service", "create", "--detach", "--name", "s" + i, image, "sleep", "3600");
                        assertEquals(0, c.code(), who + ": " + c.all());
                    }
                    List<Long> ls = new ArrayList<>();
                    for (int i = 0; i < RUNS; i++) {
                        long t0 = System.nanoTime();
                        Lab.Result r = docker(sock, "service", "ls");
                        ls.add((System.nanoTime() - t0) / 1_000_000);
                        assertEquals(SERVICES + 1, r.out().lines().count(), r.all());
                    }
                    Collections.sort(ls);
                    System.out.printf("%s: docker service ls with %d services: median %d ms, p90 %d ms, min %d ms (%d runs)%n",
                            who, SERVICES, ls.get(ls.size() / 2), ls.get(ls.size() * 9 / 10), ls.get(0), RUNS);
                    for (int i = 0; i < SERVICES; i++) {
                        assertEquals(0, docker(sock, "service", "rm", "s" + i).code());
                    }
                    long t0 = System.nanoTime();
                    Lab.Result big = docker(sock, "service", "create", "--name", "big", "--replicas", String.valueOf(REPLICAS),
                            image, "sleep", "3600");
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertEquals(0, big.code(), who + ": " + big.all());
                    Lab.Result ps = docker(sock, "service", "ps", "--filter", "desired-state=running", "--format", "{{.CurrentState}}", "big");
                    long running = ps.out().lines().filter(l -> l.startsWith("Running")).count();
                    assertEquals(REPLICAS, running, ps.all());
                    System.out.printf("%s: docker service create --replicas %d until all running: %d ms%n", who, REPLICAS, ms);
                    assertEquals(0, docker(sock, "service", "rm", "big").code());
                }
            }
        }
    }

    static Lab.Result docker(String sock, String... args) {
        return Dockerd.cli(sock, args);
    }
}
