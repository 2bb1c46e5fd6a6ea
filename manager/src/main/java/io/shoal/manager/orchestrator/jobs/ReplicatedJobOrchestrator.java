package io.shoal.manager.orchestrator.jobs;

import io.shoal.api.Node;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.orchestrator.Reconciler;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.orchestrator.restart.Restarts;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Replicated jobs ({@code --mode replicated-job}): run tasks until {@code total_completions} of
 * them have completed, at most {@code max_concurrent} at a time (swarmkit's job orchestrator).
 * Each completion has its own slot, 1..total. A slot is done once a task in it COMPLETEs (that task
 * is never run again, whatever the restart condition says); a task that fails, or is lost with its
 * node, is retried in its slot as the restart policy allows (same rules and replicated history as
 * replicated services); a slot whose policy gave up stays failed. A spec change (or
 * {@code --force}) starts the job over: the new spec version counts its own completions.
 */
public final class ReplicatedJobOrchestrator implements Reconciler {
    private final Supplier<String> ids;

    public ReplicatedJobOrchestrator(Supplier<String> ids) {
        this.ids = ids;
    }

    @Override
    public String name() {
        return "job-orchestrator";
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        List<StoreAction> out = new ArrayList<>();
        Map<String, Node> nodes = new HashMap<>();
        tx.nodes().forEach(n -> nodes.put(n.getId(), n));
        for (Service s : tx.services()) {
            if (s.getSpec().hasReplicatedJob()) {
                reconcileJob(s, tx.tasksOfService(s.getId()), nodes, nowMs, ClusterSettings.downGraceMs(tx.cluster()), out);
            }
        }
        return out;
    }

    /** The number of completed tasks of the job's current spec. */
    public static long completed(Service s, List<Task> tasks) {
        return tasks.stream().filter(t -> Tasks.current(s, t) && t.getStatus().getState() == TaskState.TASK_STATE_COMPLETE)
                .map(Task::getSlot).distinct().count();
    }

    private void reconcileJob(Service s, List<Task> tasks, Map<String, Node> nodes, long nowMs, long grace, List<StoreAction> out) {
        long total = s.getSpec().getReplicatedJob().getTotalCompletions();
        long maxConcurrent = s.getSpec().getReplicatedJob().getMaxConcurrent() > 0
                ? s.getSpec().getReplicatedJob().getMaxConcurrent() : total;
        Map<Long, List<Task>> bySlot = new TreeMap<>();
        for (Task t : tasks) {
            if (!Tasks.current(s, t)) {
                // an older run of the job: stop what still runs, keep the rest as history
                if (Tasks.wanted(t) && !Tasks.terminal(t)) {
                    out.add(shutdown(t));
                }
                continue;
            }
            bySlot.computeIfAbsent(t.getSlot(), k -> new ArrayList<>()).add(t);
        }
        long active = 0;
        List<Long> toRun = new ArrayList<>();
        for (long slot = 1; slot <= total; slot++) {
            List<Task> here = bySlot.getOrDefault(slot, List.of());
            if (here.stream().anyMatch(t -> t.getStatus().getState() == TaskState.TASK_STATE_COMPLETE)) {
                here.stream().filter(t -> Tasks.wanted(t) && !Tasks.terminal(t)).forEach(t -> out.add(shutdown(t)));
                // shown as done: desired COMPLETE (a finished task never runs again on the worker)
                here.stream().filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_COMPLETE && Tasks.wanted(t))
                        .forEach(t -> out.add(Batches.update(StoreObjects.wrap(t.toBuilder()
                                .setDesiredState(TaskState.TASK_STATE_COMPLETE).build()))));
                continue; // done
            }
            List<Task> alive = here.stream().filter(t -> Tasks.wanted(t) && !Tasks.terminal(t) && !ReplicatedOrchestrator.onDownNode(t, nodes, nowMs, grace)).toList();
            here.stream().filter(t -> Tasks.wanted(t) && !alive.contains(t)).forEach(t -> out.add(shutdown(t)));
            if (!alive.isEmpty()) {
                active++;
                continue;
            }
            if (here.isEmpty()) {
                toRun.add(slot);
                continue;
            }
            Task latest = here.stream().max(Comparator.comparingLong(t -> t.getMeta().getVersion())).orElseThrow();
            if (Restarts.mayRestart(s, latest, nowMs) || !Tasks.terminal(latest)) {
                if (Restarts.delayPassed(s, latest, nowMs) || !Tasks.terminal(latest)) {
                    toRun.add(slot);
                } else {
                    active++; // waiting out its restart delay still holds a place
                }
            }
        }
        for (long slot : toRun) {
            if (active >= maxConcurrent) {
                break;
            }
            Task latest = bySlot.getOrDefault(slot, List.of()).stream()
                    .max(Comparator.comparingLong(t -> t.getMeta().getVersion())).orElse(null);
            List<Long> history = new ArrayList<>();
            if (latest != null) {
                history.addAll(Restarts.history(s, latest, nowMs));
                history.add(nowMs);
            }
            Task t = Tasks.newTask(s, slot, "", nowMs, ids.get()).toBuilder().addAllRestartsMs(history).build();
            out.add(Batches.create(StoreObjects.wrap(t)));
            active++;
        }
    }

    private static StoreAction shutdown(Task t) {
        return Tasks.shutdown(t);
    }
}
