package io.shoal.manager.orchestrator.update;

import io.shoal.api.Node;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateConfig;
import io.shoal.api.UpdateStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.orchestrator.restart.DelayedStart;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rolling updates as swarm mode runs them (swarmkit's updater), decided pass by pass from the store
 * alone, so a new leader goes on where the old one stopped. A slot is <em>dirty</em> when what
 * serves it was made from an older spec. While the service's {@code UpdateStatus} is UPDATING (or
 * ROLLBACK_STARTED, with the rollback config):
 * <ul>
 *   <li>at most {@code parallelism} slots are <em>in flight</em> at once (0: all): a slot is in
 *       flight from the moment its new task is made until that task is RUNNING (and healthy, when
 *       it has a health check) and the old one is told to stop, and then for {@code delay} more;</li>
 *   <li>stop-first: the old task is told to stop and its replacement made held (desired READY:
 *       prepared, not started) until it has stopped ({@link DelayedStart}); start-first: the
 *       replacement starts at once and the old task is stopped once it runs;</li>
 *   <li>a task this update made that fails, is rejected, completes, or turns unhealthy before it
 *       runs or within {@code monitor} of running counts as a failure, and so does one that is not
 *       running {@code progress_deadline} after it was made; when failures exceed
 *       {@code max_failure_ratio} of the service's slots the failure action applies: pause (until
 *       the next {@code service update}), roll back (to the previous spec, rolled out with the
 *       rollback config; a rollback is never rolled back, it pauses), or continue;</li>
 *   <li>each dirty slot is tried once: a start-first replacement that fails leaves the old task
 *       serving (with the continue action the update goes on without it; the next update tries it
 *       again);</li>
 *   <li>the update is complete once no slot is dirty (and untried) or in flight and each task it
 *       made has run for {@code monitor}; should a slot turn dirty after that (the new task of a
 *       start-first pair was lost), the same update goes on for it.</li>
 * </ul>
 * A paused update starts no slot, but finishes the ones in flight. The decisions come in two
 * steps, so that an orchestrator restarts and scales with the service as the first leaves it:
 * {@link #status} (where the update stands, possibly rolling the spec back) and {@link #roll}
 * (which tasks to make, start and stop).
 */
public final class Updater {
    private Updater() {}

    /**
     * One slot of a service: a replica's slot number, or a node for global services.
     *
     * @param alive the tasks that serve or will serve it (wanted, not finished, not lost)
     * @param all   all its tasks, finished ones included (failures are read from them)
     * @param open  a new task may be made for it now (a global service's node is ready and active)
     */
    public record Slot(String key, List<Task> alive, List<Task> all, boolean open) {}

    /** Makes a new task of the service's current spec for a slot (desired RUNNING). */
    public interface Maker {
        Task make(Slot slot);
    }

    /** The update (or rollback) is under way: UPDATING or ROLLBACK_STARTED. */
    public static boolean active(Service s) {
        UpdateStatus.State st = s.getUpdateStatus().getState();
        return st == UpdateStatus.State.UPDATING || st == UpdateStatus.State.ROLLBACK_STARTED;
    }

    public static boolean paused(Service s) {
        UpdateStatus.State st = s.getUpdateStatus().getState();
        return st == UpdateStatus.State.PAUSED || st == UpdateStatus.State.ROLLBACK_PAUSED;
    }

    /** The config the service's update (or rollback) follows now. */
    public static UpdateConfig config(Service s) {
        UpdateStatus.State st = s.getUpdateStatus().getState();
        boolean rollback = st == UpdateStatus.State.ROLLBACK_STARTED || st == UpdateStatus.State.ROLLBACK_PAUSED;
        return UpdateConfigs.of(s.getSpec(), rollback);
    }

    /**
     * Of a slot's live tasks (two or more), the ones it keeps: the most advanced task of the
     * current spec and, beside it, the most advanced one of an older spec (an update's pair, until
     * the new one runs); or the most advanced one when all are of one kind. The rest are retired.
     */
    public static List<Task> keep(Service s, List<Task> live) {
        Comparator<Task> progress = Comparator.comparingInt(t -> t.getStatus().getState().getNumber());
        Optional<Task> current = live.stream().filter(t -> Tasks.current(s, t)).max(progress);
        Optional<Task> old = live.stream().filter(t -> !Tasks.current(s, t)).max(progress);
        List<Task> keep = new ArrayList<>(2);
        current.ifPresent(keep::add);
        old.ifPresent(keep::add);
        return keep;
    }

    /** What serves the slot comes from an older spec. */
    public static boolean dirty(Service s, Slot slot) {
        return !slot.alive().isEmpty() && slot.alive().stream().noneMatch(t -> Tasks.current(s, t));
    }

    /**
     * The slot's replacement is under way: a task an update made has not yet run, or it runs but
     * the old task beside it (start-first) is not yet told to stop; either short of the new task's
     * progress deadline (past it, the slot counts as failed and holds no place).
     */
    public static boolean inFlight(Service s, Slot slot, long nowMs) {
        boolean made = false;
        boolean old = false;
        for (Task t : slot.alive()) {
            if (!Tasks.current(s, t)) {
                old = true;
            } else if (t.getUpdateMs() != 0) {
                if (pastDeadline(s, t, nowMs)) {
                    return false;
                }
                made = true;
                if (!running(t)) {
                    return true;
                }
            }
        }
        return made && old;
    }

    /** The slot's new task runs, but for less than the update's delay: the slot still holds its place in the batch. */
    static boolean cooling(Service s, Slot slot, long delayMs, long nowMs) {
        return delayMs > 0 && slot.alive().stream().anyMatch(t -> t.getUpdateMs() != 0 && Tasks.current(s, t) && running(t)
                && nowMs - t.getRunningMs() < delayMs);
    }

    private static boolean running(Task t) {
        return t.getStatus().getState() == TaskState.TASK_STATE_RUNNING;
    }

    /** A task an update made is not running its progress deadline after it was made. */
    private static boolean pastDeadline(Service s, Task t, long nowMs) {
        long deadline = config(s).getProgressDeadlineMs();
        return deadline > 0 && t.getUpdateMs() != 0 && !running(t) && nowMs - t.getMeta().getCreatedMs() >= deadline;
    }

    /** A task of this update (made to replace an older one since it started). */
    private static boolean ours(Service s, Task t) {
        return t.getUpdateMs() != 0 && t.getUpdateMs() == s.getUpdateStatus().getStartedMs() && Tasks.current(s, t);
    }

    /** The task ended by itself (not told to stop) before it ran or within {@code monitorMs} of running. */
    static boolean failedEarly(Task t, long monitorMs) {
        switch (t.getStatus().getState()) {
            case TASK_STATE_FAILED, TASK_STATE_REJECTED, TASK_STATE_COMPLETE -> {
                return t.getRunningMs() == 0 || t.getStatus().getTimestampMs() - t.getRunningMs() <= monitorMs;
            }
            default -> {
                return false;
            }
        }
    }

    /** The tasks of this update that count as failures, the most recent last. */
    static List<Task> failures(Service s, List<Slot> slots, long nowMs) {
        long monitor = UpdateConfigs.monitorMs(config(s));
        List<Task> out = new ArrayList<>();
        for (Slot slot : slots) {
            for (Task t : slot.all()) {
                if (ours(s, t) && (failedEarly(t, monitor) || Tasks.wanted(t) && !Tasks.terminal(t) && pastDeadline(s, t, nowMs))) {
                    out.add(t);
                }
            }
        }
        out.sort(Comparator.comparingLong(t -> t.getMeta().getVersion()));
        return out;
    }

    /**
     * Where the update stands after this pass: the service itself when nothing changes, else the
     * service with its new status (UPDATING once a slot is dirty, PAUSED, COMPLETED, ...) or rolled
     * back to its previous spec.
     */
    public static Service status(ReadTx tx, Service s, List<Slot> slots, long nowMs) {
        UpdateStatus st = s.getUpdateStatus();
        if (paused(s)) {
            return s;
        }
        boolean anyDirty = slots.stream().anyMatch(slot -> dirty(s, slot) && !tried(s, slot));
        if (!active(s)) {
            if (!anyDirty) {
                return s;
            }
            return switch (st.getState()) {
                // a slot became dirty again after the update ended (the new task of a start-first
                // pair was lost): the same update goes on, so the slots it tried stay tried
                case COMPLETED -> s.toBuilder().setUpdateStatus(st.toBuilder().setState(UpdateStatus.State.UPDATING)
                        .setMessage("update in progress").clearCompletedMs()).build();
                case ROLLBACK_COMPLETED -> s.toBuilder().setUpdateStatus(st.toBuilder().setState(UpdateStatus.State.ROLLBACK_STARTED)
                        .setMessage("rollback in progress").clearCompletedMs()).build();
                default -> s.toBuilder().setUpdateStatus(UpdateStatus.newBuilder().setState(UpdateStatus.State.UPDATING)
                        .setStartedMs(nowMs).setMessage("update in progress")).build();
            };
        }
        boolean rollback = st.getState() == UpdateStatus.State.ROLLBACK_STARTED;
        UpdateConfig cfg = config(s);
        List<Task> failed = failures(s, slots, nowMs);
        if (!failed.isEmpty() && (double) failed.size() / Math.max(1, slots.size()) > cfg.getMaxFailureRatio()) {
            String task = failed.getLast().getId();
            switch (cfg.getFailureAction()) {
                case CONTINUE -> { }
                case ROLLBACK -> {
                    if (rollback) {
                        return paused(s, "rollback paused due to failure or early termination of task " + task);
                    }
                    try {
                        return Rollbacks.rollBack(tx, s, false, "update rolled back due to failure or early termination of task " + task, nowMs);
                    } catch (RuntimeException e) {
                        return paused(s, "update paused due to failure or early termination of task " + task
                                + "; it cannot roll back: " + e.getMessage());
                    }
                }
                default -> {
                    return paused(s, (rollback ? "rollback" : "update") + " paused due to failure or early termination of task " + task);
                }
            }
        }
        if (anyDirty || slots.stream().anyMatch(slot -> inFlight(s, slot, nowMs))) {
            return s;
        }
        long monitor = UpdateConfigs.monitorMs(cfg);
        for (Slot slot : slots) {
            for (Task t : slot.alive()) {
                if (ours(s, t) && !pastDeadline(s, t, nowMs) && (!running(t) || nowMs - t.getRunningMs() < monitor)) {
                    return s; // still watched
                }
            }
        }
        // an automatic rollback keeps saying why it happened
        String why = st.getMessage().startsWith("update rolled back") ? "; " + st.getMessage() : "";
        return s.toBuilder().setUpdateStatus(st.toBuilder()
                .setState(rollback ? UpdateStatus.State.ROLLBACK_COMPLETED : UpdateStatus.State.COMPLETED)
                .setMessage(rollback ? "rollback completed" + why : "update completed").setCompletedMs(nowMs)).build();
    }

    private static Service paused(Service s, String message) {
        boolean rollback = s.getUpdateStatus().getState() == UpdateStatus.State.ROLLBACK_STARTED;
        return s.toBuilder().setUpdateStatus(s.getUpdateStatus().toBuilder()
                .setState(rollback ? UpdateStatus.State.ROLLBACK_PAUSED : UpdateStatus.State.PAUSED).setMessage(message)).build();
    }

    /**
     * The writes that move the update on, for a service as {@link #status} left it: slots in flight
     * are finished (a start-first replacement that runs retires the old task; a held one starts once
     * the old task stopped), whatever the status; while the update is under way, dirty slots are
     * replaced in slot order as far as the parallelism allows.
     */
    public static List<StoreAction> roll(Service s, List<Slot> slots, Map<String, Node> nodes, Maker maker, long nowMs) {
        List<StoreAction> out = new ArrayList<>();
        for (Slot slot : slots) {
            List<Task> current = slot.alive().stream().filter(t -> Tasks.current(s, t)).toList();
            if (current.stream().anyMatch(Updater::running)) {
                slot.alive().stream().filter(t -> !Tasks.current(s, t)).forEach(t -> out.add(Tasks.shutdown(t)));
            }
            out.addAll(DelayedStart.start(slot.all(), nodes, nowMs));
        }
        if (!active(s)) {
            return out;
        }
        UpdateConfig cfg = config(s);
        long busy = slots.stream().filter(slot -> inFlight(s, slot, nowMs) || cooling(s, slot, cfg.getDelayMs(), nowMs)).count();
        long free = cfg.getParallelism() == 0 ? Long.MAX_VALUE : cfg.getParallelism() - busy;
        long startedMs = s.getUpdateStatus().getStartedMs();
        for (Slot slot : slots) {
            if (free <= 0) {
                break;
            }
            if (!slot.open() || !dirty(s, slot) || tried(s, slot)) {
                continue;
            }
            Task.Builder next = maker.make(slot).toBuilder().setUpdateMs(startedMs);
            if (cfg.getOrder() != UpdateConfig.Order.START_FIRST) {
                slot.alive().forEach(t -> out.add(Tasks.shutdown(t)));
                if (slot.alive().stream().anyMatch(Tasks::placed)) {
                    next.setDesiredState(TaskState.TASK_STATE_READY); // held until the old one stopped
                }
            }
            out.add(Batches.create(StoreObjects.wrap(next.build())));
            free--;
        }
        return out;
    }

    /**
     * This update made a replacement for the slot that ended (a start-first replacement that
     * failed while the old task still serves the slot): as in swarm mode, an update tries each
     * slot once; the next update tries it again.
     */
    private static boolean tried(Service s, Slot slot) {
        return slot.all().stream().anyMatch(t -> ours(s, t) && Tasks.terminal(t));
    }
}
