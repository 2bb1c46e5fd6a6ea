package io.shoal.scheduler;

import io.shoal.api.Node;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: placement decisions per second of the pure scheduler (no Raft, no
 * network) for N nodes and T tasks in services of 100 replicas.
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl scheduler test -Dshoal.bench=true -Dtest=SchedulerBench
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class SchedulerBench {
    @Test
    void placementsPerSecond() {
        run(1_000, 10_000);
        run(1_000, 10_000);
        run(5_000, 100_000);
    }

    private static void run(int nodeCount, int taskCount) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(Fixtures.node(String.format("n%05d", i), Map.of("zone", "z" + (i % 3))));
        }
        List<Task> pending = new ArrayList<>();
        for (int i = 0; i < taskCount; i++) {
            pending.add(Fixtures.task("svc" + (i / 100), i % 100 + 1, TaskSpec.getDefaultInstance()));
        }
        long t0 = System.nanoTime();
        Decisions d = new Scheduler().schedule(new ClusterView(nodes, List.of()), pending);
        double s = (System.nanoTime() - t0) / 1e9;
        assertEquals(taskCount, d.placed().size());
        System.out.printf("scheduler: %d nodes, %d tasks: %.2f s, %.0f placements/s%n", nodeCount, taskCount, s, taskCount / s);
    }
}
