package io.shoal.manager.orchestrator;

import io.shoal.api.Annotations;
import io.shoal.api.GlobalJob;
import io.shoal.api.GlobalService;
import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.Placement;
import io.shoal.api.ReplicatedJob;
import io.shoal.api.ReplicatedService;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
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

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Global services, global jobs and replicated jobs over the in-memory store, with a fake worker. */
class ModesTest {
    long now = 1_000_000;
    int ids;
    final ClusterStore store = new ClusterStore();
    final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> now));
    final LoopRunner loops = new LoopRunner(store, writer, List.of(new ReplicatedOrchestrator(() -> "t" + (++ids)),
            new GlobalOrchestrator(() -> "g" + (++ids)), new ReplicatedJobOrchestrator(() -> "j" + (++ids)),
            new SchedulingLoop(new Scheduler()), new TaskReaper(5)), () -> now, 1000);

    void node(String id, UnaryOperator<Node.Builder> change) {
        Node base = store.view(tx -> tx.node(id)).orElse(Node.newBuilder().setId(id).setSpec(NodeSpec.getDefaultInstance())
                .setDescription(NodeDescription.newBuilder().setHostname(id)
                        .setResources(Resources.newBuilder().setNanoCpus(2_000_000_000L).setMemoryBytes(1L << 30)))
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build());
        Node n = change.apply(base.toBuilder()).build();
        writer.update(tx -> List.of(tx.node(id).isPresent() ? Batches.update(StoreObjects.wrap(n)) : Batches.create(StoreObjects.wrap(n))));
    }

    void service(String id, ServiceSpec.Builder spec) {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Service.newBuilder().setId(id)
                .setSpec(spec.setAnnotations(Annotations.newBuilder().setName(id))).build()))));
    }

    void settle() {
        for (int i = 0; i < 30; i++) {
            long before = store.appliedIndex();
            loops.pass();
            if (store.appliedIndex() == before) {
                return;
            }
        }
        throw new AssertionError("loops did not settle");
    }

    /** The fake workers: every assigned task runs; {@code outcome} decides which running ones end, and how. */
    void work(Function<Task, TaskState> outcome) {
        writer.update(tx -> tx.tasks().stream()
                .filter(t -> Tasks.wanted(t) && !Tasks.terminal(t) && t.getStatus().getState().getNumber() >= TaskState.TASK_STATE_ASSIGNED_VALUE)
                .map(t -> {
                    TaskState next = t.getStatus().getState() == TaskState.TASK_STATE_RUNNING ? outcome.apply(t) : TaskState.TASK_STATE_RUNNING;
                    return Batches.update(StoreObjects.wrap(t.toBuilder().setStatus(TaskStatus.newBuilder().setState(next)
                            .setTimestampMs(now)).build()));
                }).toList());
    }

    List<Task> running(String service) {
        return store.view(tx -> tx.tasksOfService(service)).stream()
                .filter(t -> Tasks.wanted(t) && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).toList();
    }

    Set<String> nodesOf(List<Task> tasks) {
        return tasks.stream().map(Task::getNodeId).collect(Collectors.toSet());
    }

    @Test
    void globalRunsOneTaskPerEligibleNodeAndFollowsNodes() {
        node("n1", b -> b);
        node("n2", b -> b);
        node("n3", b -> b.setSpec(NodeSpec.newBuilder().setAnnotations(Annotations.newBuilder().putLabels("gpu", "no"))));
        service("agent", ServiceSpec.newBuilder().setGlobal(GlobalService.getDefaultInstance())
                .setTask(TaskSpec.newBuilder().setPlacement(Placement.newBuilder().addConstraints("node.labels.gpu!=no"))));
        settle();
        work(t -> TaskState.TASK_STATE_RUNNING);
        settle();
        assertEquals(Set.of("n1", "n2"), nodesOf(running("agent")), "n3 does not match the constraint");
        node("n4", b -> b);
        settle();
        work(t -> TaskState.TASK_STATE_RUNNING);
        assertEquals(Set.of("n1", "n2", "n4"), nodesOf(running("agent")), "a new node gets its task");
        node("n2", b -> b.setSpec(b.getSpec().toBuilder().setAvailability(NodeAvailability.NODE_AVAILABILITY_DRAIN)));
        node("n3", b -> b.setSpec(NodeSpec.getDefaultInstance()));
        settle();
        work(t -> TaskState.TASK_STATE_RUNNING);
        settle();
        assertEquals(Set.of("n1", "n3", "n4"), nodesOf(running("agent")), "drained n2 loses it, relabelled n3 gains it");
        assertEquals(3, store.view(tx -> tx.tasksOfService("agent")).stream().filter(Tasks::wanted).count(), "one wanted task per node");
        // a task that fails is replaced on its own node
        work(t -> t.getNodeId().equals("n1") ? TaskState.TASK_STATE_FAILED : TaskState.TASK_STATE_RUNNING);
        now += 6_000;
        settle();
        work(t -> TaskState.TASK_STATE_RUNNING);
        assertEquals(Set.of("n1", "n3", "n4"), nodesOf(running("agent")));
    }

    @Test
    void aGlobalTaskThatDoesNotFitWaitsWithTheReason() {
        node("n1", b -> b);
        service("big", ServiceSpec.newBuilder().setGlobal(GlobalService.getDefaultInstance())
                .setTask(TaskSpec.newBuilder().setResources(ResourceRequirements.newBuilder()
                        .setReservations(Resources.newBuilder().setMemoryBytes(4L << 30)))));
        settle();
        Task t = store.view(tx -> tx.tasksOfService("big")).getFirst();
        assertEquals(TaskState.TASK_STATE_PENDING, t.getStatus().getState());
        assertEquals("no suitable node (insufficient memory on 1 node)", t.getStatus().getErr());
    }

    @Test
    void aReplicatedJobRunsItsCompletionsAtMostMaxConcurrentAtATime() {
        node("n1", b -> b);
        node("n2", b -> b);
        service("batch", ServiceSpec.newBuilder().setReplicatedJob(ReplicatedJob.newBuilder().setTotalCompletions(5).setMaxConcurrent(2))
                .setTask(TaskSpec.getDefaultInstance()));
        AtomicBoolean failed = new AtomicBoolean();
        for (int round = 0; round < 20; round++) {
            settle();
            long active = store.view(tx -> tx.tasksOfService("batch")).stream().filter(t -> Tasks.wanted(t) && !Tasks.terminal(t)).count();
            assertTrue(active <= 2, "at most 2 at a time, saw " + active);
            // every running task completes, except that slot 1's first run fails
            work(t -> t.getSlot() == 1 && failed.compareAndSet(false, true) ? TaskState.TASK_STATE_FAILED : TaskState.TASK_STATE_COMPLETE);
            now += 6_000;
        }
        Service s = store.view(tx -> tx.service("batch")).orElseThrow();
        List<Task> all = store.view(tx -> tx.tasksOfService("batch"));
        assertEquals(5, ReplicatedJobOrchestrator.completed(s, all));
        assertEquals(0, all.stream().filter(t -> Tasks.wanted(t) && !Tasks.terminal(t)).count(), "nothing runs once it is done");
        Map<Long, Long> perSlot = all.stream().collect(Collectors.groupingBy(Task::getSlot, Collectors.counting()));
        assertEquals(2L, perSlot.get(1L), "slot 1 failed once and was retried");
        assertEquals(1L, perSlot.get(5L));
    }

    @Test
    void aGlobalJobRunsOncePerNode() {
        node("n1", b -> b);
        node("n2", b -> b);
        service("once", ServiceSpec.newBuilder().setGlobalJob(GlobalJob.getDefaultInstance()).setTask(TaskSpec.getDefaultInstance()));
        for (int i = 0; i < 5; i++) {
            settle();
            work(t -> TaskState.TASK_STATE_COMPLETE);
            now += 6_000;
        }
        settle();
        List<Task> all = store.view(tx -> tx.tasksOfService("once"));
        assertEquals(2, all.size(), "one task per node, never restarted: " + all);
        assertTrue(all.stream().allMatch(t -> t.getStatus().getState() == TaskState.TASK_STATE_COMPLETE));
    }

    @Test
    void aTaskWhoseNodeStopsMatchingItsConstraintsMoves() {
        NodeSpec zoneA = NodeSpec.newBuilder().setAnnotations(Annotations.newBuilder().putLabels("zone", "a")).build();
        node("n1", b -> b.setSpec(zoneA));
        node("n2", b -> b.setSpec(zoneA));
        node("n3", b -> b);
        service("web", ServiceSpec.newBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(2))
                .setTask(TaskSpec.newBuilder().setPlacement(Placement.newBuilder().addConstraints("node.labels.zone==a"))));
        settle();
        work(t -> TaskState.TASK_STATE_RUNNING);
        assertEquals(Set.of("n1", "n2"), nodesOf(running("web")));
        node("n1", b -> b.setSpec(NodeSpec.getDefaultInstance())); // the label is removed
        settle();
        work(t -> TaskState.TASK_STATE_RUNNING);
        settle();
        List<Task> run = running("web");
        assertEquals(2, run.size());
        assertEquals(Set.of("n2"), nodesOf(run), "both on the only node that still matches");
        assertEquals(0, store.view(tx -> tx.tasksOfService("web")).stream()
                .filter(t -> Tasks.wanted(t) && t.getNodeId().equals("n1")).count(), "nothing wanted on n1");
    }
}
