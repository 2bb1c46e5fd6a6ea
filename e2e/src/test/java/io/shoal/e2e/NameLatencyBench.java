package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.Network;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateServiceRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark, not a test: how long after a task is RUNNING on one host its address is answered by
 * name on another host. 1 manager + 2 workers; an overlay network; a container on h3 keeps h3's
 * resolver for the network alive; each round scales a service pinned to h2 by one replica and
 * polls h3's resolver for {@code tasks.web} (busybox nslookup inside h3's sandbox of the network,
 * the resolver every container of it on h3 asks) until the new task's address is in the answer.
 * The latency is that moment minus the RUNNING time the worker reported (one clock: every lab host
 * is a namespace of this machine); polling adds its own ~10-20 ms per lookup. Prints p50/p99/max.
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dit.test=NameLatencyBench [-Dshoal.bench.rounds=20]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class NameLatencyBench {
    private static final int ROUNDS = Integer.getInteger("shoal.bench.rounds", 20);

    @Test
    void runningToResolvableOnAnotherHost() throws Exception {
        try (Lab lab = new Lab("shoal-bench-names")) {
            lab.close();
            assertEquals(0, lab.up(1, 2, "10.213.10").code());
            String image = lab.lab(Duration.ofMinutes(2), "registry", "--name", lab.name, "--dir", lab.dir.toString()).out().strip();
            assertEquals(0, lab.cli("h1", "network", "create", "bn").code());
            assertEquals(0, lab.cli("h1", "service", "create", "--name", "anchor", "--network", "bn",
                    "--constraint", "node.hostname==h3", image, "sleep", "3600").code());
            assertEquals(0, lab.cli("h1", "service", "create", "-d", "--name", "web", "--replicas", "0", "--network", "bn",
                    "--constraint", "node.hostname==h2", image, "sleep", "3600").code());
            ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
            List<Long> times = new ArrayList<>();
            try {
                var control = ControlGrpc.newBlockingStub(ch);
                Network net = control.getNetwork(GetNetworkRequest.newBuilder().setNetwork("bn").build());
                String gateway = net.getIpam(0).getGateway();
                String sandbox = Files.readAllLines(lab.hostDir("h3").resolve("data/net/sandboxes")).stream()
                        .filter(s -> s.endsWith(net.getId().substring(0, 12))).findFirst().orElseThrow();
                for (int round = 1; round <= ROUNDS; round++) {
                    Service s = control.getService(GetServiceRequest.newBuilder().setService("web").build());
                    control.updateService(UpdateServiceRequest.newBuilder().setService("web").setVersion(s.getMeta().getVersion())
                            .setSpec(s.getSpec().toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(round))).build());
                    int r = round;
                    // the new task's address is allocated before it is placed
                    String ip = null;
                    long deadline = System.currentTimeMillis() + 60_000;
                    while (ip == null && System.currentTimeMillis() < deadline) {
                        ip = control.listTasks(ListTasksRequest.newBuilder().setService("web").build()).getTasksList().stream()
                                .filter(x -> x.getSlot() == r && x.getNetworksCount() > 0).map(x -> x.getNetworks(0).getAddress().replaceAll("/.*", ""))
                                .findFirst().orElse(null);
                    }
                    long seen = 0;
                    while (ip != null && System.currentTimeMillis() < deadline) {
                        if (Lab.resolve(sandbox, gateway, "tasks.web").contains(ip)) {
                            seen = System.currentTimeMillis();
                            break;
                        }
                    }
                    assertTrue(seen > 0, "round " + round + ": task address " + ip + " never resolved on h3");
                    Task t = control.listTasks(ListTasksRequest.newBuilder().setService("web").build()).getTasksList().stream()
                            .filter(x -> x.getSlot() == r && x.getStatus().getState() == TaskState.TASK_STATE_RUNNING).findFirst().orElseThrow();
                    long latency = seen - t.getStatus().getTimestampMs();
                    times.add(latency);
                    System.out.printf("names: round %d: task %s RUNNING -> resolvable on h3 after %d ms%n", round, t.getId(), latency);
                }
            } finally {
                ch.shutdownNow();
            }
            Collections.sort(times);
            System.out.printf("names: RUNNING on h2 -> tasks.web answers it on h3, %d rounds: p50 %d ms, p99 %d ms, max %d ms%n",
                    times.size(), times.get(times.size() / 2), times.get(Math.min(times.size() - 1, (int) Math.ceil(times.size() * 0.99) - 1)),
                    times.getLast());
        }
    }
}
