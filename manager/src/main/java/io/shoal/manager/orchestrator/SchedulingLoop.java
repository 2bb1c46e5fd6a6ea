package io.shoal.manager.orchestrator;

import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.scheduler.ClusterView;
import io.shoal.scheduler.Decisions;
import io.shoal.scheduler.Scheduler;

import java.util.ArrayList;
import java.util.List;

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
        List<Task> all = tx.tasks();
        List<Task> pending = all.stream()
                .filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_PENDING && Tasks.wanted(t) && t.getNodeId().isEmpty())
                .toList();
        if (pending.isEmpty()) {
            return List.of();
        }
        Decisions d = scheduler.schedule(new ClusterView(tx.nodes(), all.stream().filter(Tasks::placed).toList()), pending);
        List<StoreAction> out = new ArrayList<>();
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
