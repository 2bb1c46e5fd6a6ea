package io.shoal.manager.orchestrator;

import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.scheduler.ClusterView;
import io.shoal.scheduler.Decisions;
import io.shoal.scheduler.NodeInfo;
import io.shoal.scheduler.Pipeline;
import io.shoal.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Places PENDING tasks: feeds the pure {@link Scheduler} a view of the store and writes its
 * decisions back (node and ASSIGNED for placed tasks; the reason for the ones left pending, only
 * when it changed, so an unplaceable task costs no writes while nothing changes).
 */
public final class SchedulingLoop implements Reconciler {
    private final Scheduler scheduler;

    public SchedulingLoop(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public String name() {
        return "scheduler";
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        return reconcile(tx, nowMs, Changes.ALL);
    }

    /**
     * Every pending task on a full pass or when a node changed; otherwise only the pending tasks of
     * the services that changed (a task stuck pending for want of resources freed elsewhere waits
     * for the next full pass, at most the loop period).
     */
    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs, Changes changes) {
        List<Task> pending = tx.tasksInState(TaskState.TASK_STATE_PENDING).stream()
                .filter(t -> Tasks.wanted(t)
                        && t.getNetworksCount() >= t.getSpec().getNetworksCount()) // addresses first (network allocator)
                .filter(t -> changes.all() || !changes.anyNodes().isEmpty() || changes.services().contains(t.getServiceId()))
                .toList();
        if (pending.isEmpty()) {
            return List.of();
        }
        List<StoreAction> out = new ArrayList<>();
        List<Task> placed = new ArrayList<>(tx.taskCount());
        for (Task t : tx.tasks()) {
            if (Tasks.placed(t)) {
                placed.add(t);
            }
        }
        // tasks whose node is chosen already (global services): only check that the node can take them
        List<Task> preassigned = pending.stream().filter(t -> !t.getNodeId().isEmpty()).toList();
        if (!preassigned.isEmpty()) {
            Map<String, NodeInfo> infos = new HashMap<>();
            Map<String, List<Task>> byNode = new HashMap<>();
            placed.forEach(t -> byNode.computeIfAbsent(t.getNodeId(), k -> new ArrayList<>()).add(t));
            tx.nodes().forEach(n -> infos.put(n.getId(), new NodeInfo(n, byNode.getOrDefault(n.getId(), List.of()))));
            Pipeline pipeline = new Pipeline();
            for (Task t : preassigned) {
                NodeInfo node = infos.get(t.getNodeId());
                String reason;
                try {
                    pipeline.setTask(t);
                    reason = node == null ? "no suitable node (the node is gone)" : pipeline.check(node) ? null : pipeline.explain();
                } catch (IllegalArgumentException e) {
                    reason = e.getMessage();
                }
                if (reason == null) {
                    node.add(t);
                    placed.add(t);
                    out.add(Batches.update(StoreObjects.wrap(t.toBuilder()
                            .setStatus(Tasks.status(TaskState.TASK_STATE_ASSIGNED, "scheduler assigned task to node", nowMs)).build())));
                } else if (!reason.equals(t.getStatus().getErr())) {
                    out.add(Batches.update(StoreObjects.wrap(t.toBuilder()
                            .setStatus(t.getStatus().toBuilder().setErr(reason).setTimestampMs(nowMs)).build())));
                }
            }
        }
        List<Task> free = pending.stream().filter(t -> t.getNodeId().isEmpty()).toList();
        if (free.isEmpty()) {
            return out;
        }
        Decisions d = scheduler.schedule(new ClusterView(tx.nodes(), placed), free);
        for (Decisions.Placement p : d.placed()) {
            out.add(Batches.update(StoreObjects.wrap(p.task().toBuilder().setNodeId(p.nodeId())
                    .setStatus(Tasks.status(TaskState.TASK_STATE_ASSIGNED, "scheduler assigned task to node", nowMs))
                    .build())));
        }
        for (Decisions.Pending p : d.pending()) {
            if (!p.reason().equals(p.task().getStatus().getErr())) {
                out.add(Batches.update(StoreObjects.wrap(p.task().toBuilder()
                        .setStatus(p.task().getStatus().toBuilder().setErr(p.reason()).setTimestampMs(nowMs)).build())));
            }
        }
        return out;
    }
}
