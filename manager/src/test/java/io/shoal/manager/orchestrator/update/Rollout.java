package io.shoal.manager.orchestrator.update;

import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.GlobalService;
import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Resources;
import io.shoal.api.RestartPolicy;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateConfig;
import io.shoal.api.UpdateStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.orchestrator.LoopRunner;
import io.shoal.manager.orchestrator.SchedulingLoop;
import io.shoal.manager.orchestrator.TaskReaper;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.orchestrator.global.GlobalOrchestrator;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A harness for rolling updates: the leader's loops over the in-memory store on a fake clock, and
 * fake workers that move each task one step per {@link #work} as the real agent would (a held task
 * stops at READY; a task whose spec sets FAIL=1 fails as it starts; one in {@link #stuck} does not
 * move).
 */
final class Rollout {
    long now = 1_000_000;
    int ids;
    final ClusterStore store = new ClusterStore();
    final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> now));
    LoopRunner loops = loops();
    Predicate<Task> stuck = t -> false;

    Rollout(int nodes) {
        List<StoreAction> out = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            out.add(Batches.create(StoreObjects.wrap(Node.newBuilder().setId("n" + i).setSpec(NodeSpec.getDefaultInstance())
                    .setDescription(NodeDescription.newBuilder().setHostname("n" + i)
                            .setResources(Resources.newBuilder().setNanoCpus(8_000_000_000L).setMemoryBytes(8L << 30)))
                    .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build())));
        }
        writer.update(tx -> out);
    }

    /** Fresh loops on the same store: what a new leader starts with. */
    LoopRunner loops() {
        return new LoopRunner(store, writer, List.of(new ReplicatedOrchestrator(() -> "t" + (++ids)),
                new GlobalOrchestrator(() -> "g" + (++ids)), new SchedulingLoop(new Scheduler()), new TaskReaper(5)), () -> now, 1000);
    }

    static ServiceSpec.Builder spec(String image, UpdateConfig update) {
        return ServiceSpec.newBuilder().setUpdate(update)
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage(image))
                        .setRestart(RestartPolicy.newBuilder().setDelayMs(1_000).setDelaySet(true)));
    }

    void replicated(String id, long replicas, ServiceSpec.Builder spec) {
        create(id, spec.setReplicated(ReplicatedService.newBuilder().setReplicas(replicas)));
    }

    void global(String id, ServiceSpec.Builder spec) {
        create(id, spec.setGlobal(GlobalService.getDefaultInstance()));
    }

    private void create(String id, ServiceSpec.Builder spec) {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Service.newBuilder().setId(id)
                .setSpec(spec.setAnnotations(Annotations.newBuilder().setName(id))).build()))));
    }

    /** A spec change as the Control API writes it: previous spec kept, a new spec version, the status reset. */
    void update(String id, UnaryOperator<ServiceSpec.Builder> change) {
        writer.update(tx -> {
            Service s = tx.service(id).orElseThrow();
            return List.of(Batches.update(StoreObjects.wrap(s.toBuilder().setPreviousSpec(s.getSpec())
                    .setPreviousSpecVersion(s.getSpecVersion()).setSpec(change.apply(s.getSpec().toBuilder()))
                    .setSpecVersion(s.getMeta().getVersion()).clearUpdateStatus().build())));
        });
    }

    Service service(String id) {
        return store.view(tx -> tx.service(id)).orElseThrow();
    }

    UpdateStatus.State state(String id) {
        return service(id).getUpdateStatus().getState();
    }

    List<Task> tasks(String id) {
        return store.view(tx -> tx.tasksOfService(id));
    }

    /** Passes until the loops write nothing more. */
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

    /** Every worker moves each of its tasks one step, as its agent would, reporting through the dispatcher's path. */
    void work() {
        List<StoreAction> reports = new ArrayList<>();
        for (Task t : store.view(tx -> tx.tasks())) {
            TaskState s = t.getStatus().getState();
            if (t.getNodeId().isEmpty() || Tasks.terminal(t) || s.getNumber() < TaskState.TASK_STATE_ASSIGNED_VALUE || stuck.test(t)) {
                continue;
            }
            TaskState next;
            if (!Tasks.wanted(t)) {
                next = TaskState.TASK_STATE_SHUTDOWN;
            } else if (s == TaskState.TASK_STATE_RUNNING) {
                continue;
            } else if (t.getDesiredState() == TaskState.TASK_STATE_READY) {
                next = TaskState.TASK_STATE_READY;
            } else if (t.getSpec().getContainer().getEnvList().contains("FAIL=1")) {
                next = TaskState.TASK_STATE_FAILED;
            } else {
                next = TaskState.TASK_STATE_RUNNING;
            }
            if (next != s) {
                reports.add(Batches.status(t.getId(), t.getNodeId(), Tasks.status(next, "worker", now)));
            }
        }
        if (!reports.isEmpty()) {
            writer.update(tx -> reports);
        }
    }

    /** One round: the loops decide, the workers step, the loops decide again. */
    void round() {
        settle();
        work();
        settle();
    }

    /** Slot (or node) -> its live tasks (wanted, not finished). */
    Map<String, List<Task>> live(String id) {
        Map<String, List<Task>> out = new TreeMap<>();
        for (Task t : tasks(id)) {
            if (Tasks.wanted(t) && !Tasks.terminal(t)) {
                out.computeIfAbsent(t.getSlot() > 0 ? String.valueOf(t.getSlot()) : t.getNodeId(), k -> new ArrayList<>()).add(t);
            }
        }
        return out;
    }

    /** Slots whose replacement is under way, as the updater counts them against the parallelism. */
    long inFlight(String id) {
        Service s = service(id);
        Map<String, List<Task>> all = new TreeMap<>();
        for (Task t : tasks(id)) {
            all.computeIfAbsent(t.getSlot() > 0 ? String.valueOf(t.getSlot()) : t.getNodeId(), k -> new ArrayList<>()).add(t);
        }
        return live(id).entrySet().stream()
                .filter(e -> Updater.inFlight(s, new Updater.Slot(e.getKey(), e.getValue(), all.get(e.getKey()), true), now)).count();
    }

    /** Tasks that are RUNNING and still wanted. */
    long running(String id) {
        return tasks(id).stream().filter(t -> Tasks.wanted(t) && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).count();
    }

    /** Live tasks on the service's current spec. */
    long current(String id) {
        Service s = service(id);
        return live(id).values().stream().flatMap(List::stream).filter(t -> Tasks.current(s, t)).count();
    }
}
