package io.shoal.manager.orchestrator;

import io.shoal.api.Annotations;
import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Resources;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.network.NetworkAllocator;
import io.shoal.manager.orchestrator.global.GlobalOrchestrator;
import io.shoal.manager.orchestrator.jobs.ReplicatedJobOrchestrator;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.scheduler.Scheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Benchmark, not a test: the leader's loops alone (no Raft, no network) deploying T tasks in 10
 * services over N nodes, then every task reported RUNNING in batches as workers would. Prints the
 * placements per second the loops can decide and commit to the in-memory store.
 * <pre>
 * mvn -B -pl manager -am test -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dtest=LoopsBench [-Dshoal.bench.nodes=1000 -Dshoal.bench.tasks=10000]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class LoopsBench {
    private static final int NODES = Integer.getInteger("shoal.bench.nodes", 1000);
    private static final int TASKS = Integer.getInteger("shoal.bench.tasks", 10_000);

    @Test
    void loops() {
        for (int round = 0; round < 3; round++) {
            run();
        }
    }

    private void run() {
        ClusterStore store = new ClusterStore();
        long[] now = {1_000};
        StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> now[0]));
        int[] ids = {0};
        LoopRunner loops = new LoopRunner(store, writer, List.of(
                new ReplicatedOrchestrator(() -> "t" + (++ids[0])),
                new GlobalOrchestrator(() -> "g" + (++ids[0])),
                new ReplicatedJobOrchestrator(() -> "j" + (++ids[0])),
                new NetworkAllocator(),
                new SchedulingLoop(new Scheduler()),
                new TaskReaper(5)), () -> now[0], 1000);
        List<StoreAction> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            nodes.add(Batches.create(StoreObjects.wrap(Node.newBuilder().setId(String.format("n%05d", i))
                    .setSpec(NodeSpec.getDefaultInstance())
                    .setDescription(NodeDescription.newBuilder().setHostname("n" + i)
                            .setResources(Resources.newBuilder().setNanoCpus(64_000_000_000L).setMemoryBytes(256L << 30)))
                    .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build())));
        }
        writer.update(tx -> nodes);
        long t0 = System.nanoTime();
        for (int s = 0; s < 10; s++) {
            Service svc = Service.newBuilder().setId("s" + s).setSpec(ServiceSpec.newBuilder()
                    .setAnnotations(Annotations.newBuilder().setName("svc" + s))
                    .setReplicated(ReplicatedService.newBuilder().setReplicas(TASKS / 10))
                    .setTask(TaskSpec.getDefaultInstance())).build();
            writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(svc))));
            loops.pass(new Changes(false, Set.of(svc.getId()), Set.of()));
        }
        long placed = store.view(tx -> tx.tasksInState(TaskState.TASK_STATE_ASSIGNED).size());
        double sec = (System.nanoTime() - t0) / 1e9;
        // workers report RUNNING, 100 batches, each followed by an incremental pass
        long t1 = System.nanoTime();
        List<Task> assigned = store.view(tx -> tx.tasksInState(TaskState.TASK_STATE_ASSIGNED));
        int per = Math.max(1, assigned.size() / 100);
        for (int from = 0; from < assigned.size(); from += per) {
            List<Task> chunk = assigned.subList(from, Math.min(assigned.size(), from + per));
            Set<String> services = new HashSet<>();
            writer.update(tx -> chunk.stream().map(t -> {
                services.add(t.getServiceId());
                return Batches.update(StoreObjects.wrap(tx.task(t.getId()).orElseThrow().toBuilder()
                        .setStatus(Tasks.status(TaskState.TASK_STATE_RUNNING, "started", now[0])).build()));
            }).toList());
            loops.pass(new Changes(false, services, Set.of()));
        }
        double sec2 = (System.nanoTime() - t1) / 1e9;
        long t2 = System.nanoTime();
        loops.pass();
        double full = (System.nanoTime() - t2) / 1e9;
        System.out.printf("loops: %d nodes, %d tasks placed in %.2f s (%.0f placements/s); 100 status batches + passes %.2f s; one full pass %.0f ms%n",
                NODES, placed, sec, placed / sec, sec2, full * 1000);
    }
}
