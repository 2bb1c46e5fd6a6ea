package io.shoal.manager.orchestrator;

import io.shoal.api.Annotations;
import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
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
import io.shoal.api.TaskStatus;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.scheduler.Scheduler;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A node that is Down only briefly (a restarted worker daemon) keeps its tasks; one that stays Down loses them. */
class DownNodeGraceTest {
    long now = 1_000_000;
    int ids;
    final ClusterStore store = new ClusterStore();
    final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> now));
    final LoopRunner loops = new LoopRunner(store, writer, List.of(new ReplicatedOrchestrator(() -> "t" + (++ids)),
            new SchedulingLoop(new Scheduler()), new TaskReaper(5)), () -> now, 1000);

    private void node(String id, NodeStatus status) {
        Node n = Node.newBuilder().setId(id).setSpec(NodeSpec.getDefaultInstance())
                .setDescription(NodeDescription.newBuilder().setHostname(id)
                        .setResources(Resources.newBuilder().setNanoCpus(2_000_000_000L).setMemoryBytes(1L << 30)))
                .setStatus(status).build();
        writer.update(tx -> List.of(tx.node(id).isPresent() ? Batches.update(StoreObjects.wrap(n)) : Batches.create(StoreObjects.wrap(n))));
    }

    private List<Task> live() {
        return store.view(tx -> tx.tasks()).stream().filter(t -> t.getDesiredState() == TaskState.TASK_STATE_RUNNING).toList();
    }

    private void settle() {
        for (int i = 0; i < 20; i++) {
            long before = store.appliedIndex();
            loops.pass();
            if (store.appliedIndex() == before) {
                return;
            }
        }
    }

    /** Creates service web with one replica and returns its task once placed. */
    private Task oneReplicaOfWeb() {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Service.newBuilder().setId("s1")
                .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("web"))
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(1)).setTask(TaskSpec.getDefaultInstance()))
                .build()))));
        settle();
        return live().getFirst();
    }

    @Test
    void tasksMoveOnlyAfterTheNodeStaysDownForTheGrace() {
        node("n1", NodeStatus.newBuilder().setState(NodeStatus.State.READY).build());
        Task t = oneReplicaOfWeb();
        assertEquals("n1", t.getNodeId());
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.task(t.getId()).orElseThrow().toBuilder()
                .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_RUNNING)).build()))));
        node("n2", NodeStatus.newBuilder().setState(NodeStatus.State.READY).build());
        node("n1", NodeStatus.newBuilder().setState(NodeStatus.State.DOWN).setSinceMs(now).build());

        now += ReplicatedOrchestrator.DOWN_GRACE_MS - 1;
        settle();
        assertEquals(List.of(t.getId()), live().stream().map(Task::getId).toList(), "still within the grace: nothing moves");

        now += 1;
        settle();
        List<Task> after = live();
        assertEquals(1, after.size());
        assertEquals("n2", after.getFirst().getNodeId(), "the task was started on the node that is up");
    }

    @Test
    void aClusterWithNoGraceMovesTasksAsSoonAsTheNodeIsDown() {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Cluster.newBuilder().setId("c")
                .setSpec(ClusterSpec.newBuilder().setNodeDownGraceMs(0)).build()))));
        node("n1", NodeStatus.newBuilder().setState(NodeStatus.State.READY).build());
        Task t = oneReplicaOfWeb();
        node("n2", NodeStatus.newBuilder().setState(NodeStatus.State.READY).build());
        node("n1", NodeStatus.newBuilder().setState(NodeStatus.State.DOWN).setSinceMs(now).build());
        // an incremental pass over the node's state change, as the leader runs right after it
        loops.pass(new Changes(false, Set.of(), Set.of(), Set.of(), Set.of("n1")));
        settle();
        List<Task> after = live();
        assertEquals(1, after.size());
        assertEquals("n2", after.getFirst().getNodeId(), "moved at once: --node-down-grace 0s");
    }
}
