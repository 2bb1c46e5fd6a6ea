package io.shoal.scheduler;

import io.shoal.api.Node;
import io.shoal.api.Placement;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The heap path decides exactly as the node-by-node scan: random clusters, services and resource limits. */
class HeapPathTest {
    @Test
    void sameDecisionsAsTheScan() {
        for (long seed = 0; seed < 200; seed++) {
            Random rnd = new Random(seed);
            List<Node> nodes = new ArrayList<>();
            int n = 1 + rnd.nextInt(12);
            for (int i = 0; i < n; i++) {
                Node node = rnd.nextInt(10) == 0 ? Fixtures.drained("n" + i) : rnd.nextInt(10) == 0 ? Fixtures.down("n" + i)
                        : Fixtures.node("n" + i, rnd.nextBoolean() ? Map.of("zone", "a") : Map.of());
                nodes.add(node);
            }
            List<Task> placed = new ArrayList<>();
            for (int i = 0; i < rnd.nextInt(20); i++) {
                placed.add(Fixtures.task("old" + rnd.nextInt(3), i, Fixtures.memory(Fixtures.GB * rnd.nextInt(3)))
                        .toBuilder().setNodeId("n" + rnd.nextInt(n)).build());
            }
            List<Task> pending = new ArrayList<>();
            for (int s = 0; s < 1 + rnd.nextInt(3); s++) {
                TaskSpec spec = rnd.nextBoolean() ? Fixtures.memory(Fixtures.GB * rnd.nextInt(4)) : TaskSpec.getDefaultInstance();
                if (rnd.nextInt(4) == 0) {
                    spec = spec.toBuilder().setPlacement(Placement.newBuilder().addConstraints("node.labels.zone==a")).build();
                }
                for (int i = 1; i <= rnd.nextInt(30); i++) {
                    pending.add(Fixtures.task("s" + s, i, spec));
                }
            }
            for (Scheduler.Strategy strategy : Scheduler.Strategy.values()) {
                Decisions fast = new Scheduler(strategy).schedule(new ClusterView(nodes, placed), pending);
                Decisions scan = new Scheduler(strategy, true).schedule(new ClusterView(nodes, placed), pending);
                assertEquals(scan.placed(), fast.placed(), "seed " + seed + " " + strategy);
                assertEquals(scan.pending(), fast.pending(), "seed " + seed + " " + strategy);
            }
        }
    }
}
