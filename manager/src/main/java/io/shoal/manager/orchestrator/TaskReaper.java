package io.shoal.manager.orchestrator;

import io.shoal.api.Task;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bounds the kept history: per slot, at most the cluster's task history limit of finished tasks
 * that are no longer wanted (the oldest go first); tasks of removed services go as soon as they are
 * finished or were never placed.
 */
public final class TaskReaper implements Reconciler {
    private final int defaultLimit;

    /** With the cluster's stored limit, or {@link ClusterSettings#DEFAULT_TASK_HISTORY_LIMIT} where it sets none. */
    public TaskReaper() {
        this(ClusterSettings.DEFAULT_TASK_HISTORY_LIMIT);
    }

    /** With the cluster's stored limit, or {@code defaultLimit} where there is no cluster object or it sets none. */
    public TaskReaper(int defaultLimit) {
        this.defaultLimit = defaultLimit;
    }

    private int historyLimit(ReadTx tx) {
        return tx.cluster().map(c -> c.getSpec().getTaskHistoryLimit() > 0 ? ClusterSettings.taskHistoryLimit(c.getSpec()) : defaultLimit)
                .orElse(defaultLimit);
    }

    @Override
    public String name() {
        return "task-reaper";
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        Set<String> services = new HashSet<>();
        tx.services().forEach(s -> services.add(s.getId()));
        return reap(tx.tasks(), services, historyLimit(tx));
    }

    /** Only the tasks of the services that changed (a node change reaps nothing by itself). */
    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs, Changes changes) {
        if (changes.all()) {
            return reconcile(tx, nowMs);
        }
        List<StoreAction> out = new ArrayList<>();
        int limit = historyLimit(tx);
        for (String id : changes.services()) {
            Set<String> services = tx.service(id).isPresent() ? Set.of(id) : Set.of();
            out.addAll(reap(tx.tasksOfService(id), services, limit));
        }
        return out;
    }

    private List<StoreAction> reap(List<Task> tasks, Set<String> services, int historyLimit) {
        Map<String, List<Task>> history = new HashMap<>();
        List<StoreAction> out = new ArrayList<>();
        for (Task t : tasks) {
            boolean done = !Tasks.wanted(t) && (Tasks.terminal(t) || t.getNodeId().isEmpty());
            if (!services.contains(t.getServiceId())) {
                if (done) {
                    out.add(Batches.remove(StoreObjects.wrap(t)));
                }
            } else if (done) {
                history.computeIfAbsent(t.getServiceId() + "/" + (t.getSlot() > 0 ? t.getSlot() : t.getNodeId()), k -> new ArrayList<>()).add(t);
            }
        }
        for (List<Task> h : history.values()) {
            if (h.size() > historyLimit) {
                h.sort(Comparator.comparingLong(t -> t.getMeta().getVersion()));
                h.subList(0, h.size() - historyLimit).forEach(t -> out.add(Batches.remove(StoreObjects.wrap(t))));
            }
        }
        return out;
    }
}
