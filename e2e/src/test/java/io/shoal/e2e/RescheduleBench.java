package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: 1 manager + 3 workers, a 6-replica service of real containers; kill -9 a
 * worker daemon and time until every task it ran is RUNNING on another node (Down after 2 s without
 * heartbeats, then the Down grace, then scheduling and container start). Then the worker comes
 * back, stops its stale containers, and the next round kills another. Prints the median and max.
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dit.test=RescheduleBench \
 *     [-Dshoal.bench.initArgs="--node-down-grace 0s"]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class RescheduleBench {
    private static final int ROUNDS = Integer.getInteger("shoal.bench.rounds", 6);

    @Test
    void killAWorkerAndTimeItsTasksRunningElsewhere() throws Exception {
        try (Lab lab = new Lab("shoal-bench-resched")) {
            lab.close();
            assertEquals(0, lab.up(1, 3, "10.213.9", System.getProperty("shoal.bench.initArgs", "")).code());
            String image = lab.lab(Duration.ofMinutes(2), "registry", "--name", lab.name, "--dir", lab.dir.toString()).out().strip();
            assertEquals(0, lab.cli("h1", "service", "create", "--name", "web", "--replicas", "6", image, "sleep", "3600").code());
            ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
            List<Long> times = new ArrayList<>();
            try {
                var control = ControlGrpc.newBlockingStub(ch);
                for (int round = 0; round < ROUNDS; round++) {
                    String victim = "h" + (2 + round % 3);
                    List<Task> before = control.listTasks(ListTasksRequest.newBuilder().setService("web").build()).getTasksList();
                    String victimId = nodeIdOf(lab, victim);
                    Set<Long> slots = before.stream().filter(t -> t.getDesiredState() == TaskState.TASK_STATE_RUNNING
                            && t.getNodeId().equals(victimId)).map(Task::getSlot).collect(Collectors.toSet());
                    long t0 = System.currentTimeMillis();
                    assertEquals(0, lab.host("kill", victim).code());
                    while (System.currentTimeMillis() - t0 < 120_000) {
                        List<Task> now = control.listTasks(ListTasksRequest.newBuilder().setService("web").build()).getTasksList();
                        long moved = now.stream().filter(t -> slots.contains(t.getSlot()) && !t.getNodeId().equals(victimId)
                                && t.getDesiredState() == TaskState.TASK_STATE_RUNNING
                                && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).count();
                        if (moved == slots.size()) {
                            break;
                        }
                        Thread.sleep(20);
                    }
                    long took = System.currentTimeMillis() - t0;
                    times.add(took);
                    System.out.printf("reschedule: round %d killed %s (%d tasks): all running elsewhere after %d ms%n",
                            round + 1, victim, slots.size(), took);
                    assertEquals(0, lab.host("start", victim).code());
                    // let it come back and stop its stale containers before the next round
                    lab.awaitCli("h1", Duration.ofSeconds(60), r -> r.code() == 0 && !r.out().contains("Down"), "node", "ls");
                }
            } finally {
                ch.shutdownNow();
            }
            Collections.sort(times);
            System.out.printf("reschedule: kill -9 of a worker daemon -> its tasks RUNNING elsewhere, %d rounds: median %d ms, max %d ms%n",
                    times.size(), times.get(times.size() / 2), times.get(times.size() - 1));
        }
    }

    private static String nodeIdOf(Lab lab, String host) {
        Lab.Result r = lab.cli(host, "info", "--format", "json");
        String out = r.out();
        int i = out.indexOf("\"NodeID\" : \"");
        return out.substring(i + 12, out.indexOf('"', i + 12));
    }
}
