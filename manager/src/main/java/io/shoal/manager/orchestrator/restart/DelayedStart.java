package io.shoal.manager.orchestrator.restart;

import io.shoal.api.Node;
import io.shoal.api.NodeStatus;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.StoreObjects;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A task made with desired state READY is held: its worker prepares it (pulls the image, makes the
 * container) and waits. A stop-first update makes its replacements so, and they start (desired
 * RUNNING) once every task of the slot that was told to stop has stopped, as swarmkit's
 * {@code DelayStart(waitStop)}: so a slot never runs two containers at once, and the stopped
 * task's resources and host ports are free for the new one. A task that cannot report its stop
 * does not hold it back: one on a Down or removed node, one never placed, or one still stopping
 * {@link #STOP_MARGIN_MS} after its stop grace period (a hung worker).
 */
public final class DelayedStart {
    /** How much longer than its stop grace period a stopping task may hold its successor back. */
    public static final long STOP_MARGIN_MS = 30_000;
    private static final long DEFAULT_GRACE_MS = 10_000;

    private DelayedStart() {}

    /** The task is held back (desired READY and not finished). */
    public static boolean held(Task t) {
        return t.getDesiredState() == TaskState.TASK_STATE_READY && !Tasks.terminal(t);
    }

    /** The task was told to stop and may still be running: it holds back the held tasks of its slot. */
    public static boolean stopping(Task t, Map<String, Node> nodes, long nowMs) {
        if (Tasks.wanted(t) || Tasks.terminal(t) || !Tasks.placed(t)) {
            return false;
        }
        Node n = nodes.get(t.getNodeId());
        if (n == null || n.getStatus().getState() == NodeStatus.State.DOWN) {
            return false;
        }
        var c = t.getSpec().getContainer();
        long grace = c.getHasStopGracePeriod() ? c.getStopGracePeriodMs() : DEFAULT_GRACE_MS;
        return nowMs - t.getMeta().getUpdatedMs() < grace + STOP_MARGIN_MS;
    }

    /** Writes that start the held tasks among a slot's tasks once nothing in the slot is still stopping. */
    public static List<StoreAction> start(List<Task> slotTasks, Map<String, Node> nodes, long nowMs) {
        List<Task> held = slotTasks.stream().filter(DelayedStart::held).toList();
        if (held.isEmpty() || slotTasks.stream().anyMatch(t -> stopping(t, nodes, nowMs))) {
            return List.of();
        }
        List<StoreAction> out = new ArrayList<>();
        for (Task t : held) {
            out.add(Batches.update(StoreObjects.wrap(t.toBuilder().setDesiredState(TaskState.TASK_STATE_RUNNING).build())));
        }
        return out;
    }
}
