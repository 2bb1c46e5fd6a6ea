package io.shoal.manager.orchestrator.global;

import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeStatus;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.orchestrator.Changes;
import io.shoal.manager.orchestrator.Reconciler;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.orchestrator.replicated.ConstraintEnforcer;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Global services and global jobs: one task on every node that may run it, following nodes as they
 * join, drain, change labels or leave (swarmkit's global orchestrator).
 * <ul>
 *   <li>a node may run the service when its platform and the service's constraints match; a new
 *       task goes to a Ready and active node (created with the node already chosen; the scheduling
 *       loop still checks its resources); a paused node keeps what it runs but gets nothing new;</li>
 *   <li>a task on a drained node, on a node that stopped matching, on a node gone from the cluster,
 *       or on a node Down for longer than the cluster's Down grace ({@link io.shoal.manager.ClusterSettings#downGraceMs}) is shut
 *       down and not replaced elsewhere;</li>
 *   <li>a service's task that ended is replaced on its node as the restart policy says (the same
 *       rules and replicated history as replicated services); a global job's task that completed
 *       stays completed;</li>
 *   <li>a spec change replaces tasks node by node, {@code update.parallelism} at a time.</li>
 * </ul>
 * Tasks of global services have slot 0; their name is {@code service.NODEID}.
 */
public final class GlobalOrchestrator implements Reconciler {
    private final Supplier<String> ids;

    public GlobalOrchestrator(Supplier<String> ids) {
        this.ids = ids;
    }

    @Override
    public String name() {
        return "global-orchestrator";
    }

    static boolean global(Service s) {
        return s.getSpec().hasGlobal() || s.getSpec().hasGlobalJob();
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        List<StoreAction> out = new ArrayList<>();
        List<Node> nodes = tx.nodes();
        long grace = ClusterSettings.downGraceMs(tx.cluster());
        Set<String> globalServices = new HashSet<>();
        Set<String> allServices = new HashSet<>();
        for (Service s : tx.services()) {
            allServices.add(s.getId());
            if (global(s)) {
                globalServices.add(s.getId());
                reconcileService(s, tx.tasksOfService(s.getId()), nodes, nowMs, grace, out);
            }
        }
        for (Task t : tx.tasks()) {
            // the tasks of removed global services (slot 0; replicated ones are the replicated orchestrator's)
            if (t.getSlot() == 0 && !allServices.contains(t.getServiceId()) && Tasks.wanted(t)) {
                out.add(shutdown(t));
            }
        }
        return out;
    }

    /** Every global service when a node changed (it may gain or lose a task), else only the changed services. */
    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs, Changes changes) {
        if (changes.all()) {
            return reconcile(tx, nowMs);
        }
        List<StoreAction> out = new ArrayList<>();
        List<Node> nodes = null;
        long grace = ClusterSettings.downGraceMs(tx.cluster());
        Collection<String> ids = changes.anyNodes().isEmpty()
                ? Stream.concat(changes.services().stream(), changes.progressed().stream()).toList()
                : tx.services().stream().filter(GlobalOrchestrator::global).map(Service::getId).toList();
        for (String id : ids) {
            Optional<Service> s = tx.service(id);
            if (s.isEmpty()) {
                tx.tasksOfService(id).stream().filter(t -> t.getSlot() == 0 && Tasks.wanted(t)).forEach(t -> out.add(shutdown(t)));
            } else if (global(s.get())) {
                if (nodes == null) {
                    nodes = tx.nodes();
                }
                reconcileService(s.get(), tx.tasksOfService(id), nodes, nowMs, grace, out);
            }
        }
        if (!changes.anyNodes().isEmpty()) {
            for (String id : changes.services()) {
                if (tx.service(id).isEmpty()) {
                    tx.tasksOfService(id).stream().filter(t -> t.getSlot() == 0 && Tasks.wanted(t)).forEach(t -> out.add(shutdown(t)));
                }
            }
        }
        return out;
    }

    private void reconcileService(Service s, List<Task> tasks, List<Node> nodes, long nowMs, long grace, List<StoreAction> out) {
        Predicate<Node> eligible = ConstraintEnforcer.fits(s.getSpec().getTask());
        boolean job = s.getSpec().hasGlobalJob();
        Map<String, List<Task>> byNode = new HashMap<>();
        tasks.forEach(t -> byNode.computeIfAbsent(t.getNodeId(), k -> new ArrayList<>()).add(t));
        Map<String, Node> nodeById = new HashMap<>();
        nodes.forEach(n -> nodeById.put(n.getId(), n));

        Set<String> retired = new HashSet<>();
        Consumer<Task> retire = t -> {
            if (retired.add(t.getId())) {
                out.add(shutdown(t));
            }
        };
        // tasks on nodes that can no longer have them
        for (Task t : tasks) {
            if (!Tasks.wanted(t)) {
                continue;
            }
            Node n = nodeById.get(t.getNodeId());
            if (ReplicatedOrchestrator.onDownNode(t, nodeById, nowMs, grace) || !eligible.test(n)) {
                retire.accept(t);
            }
        }

        long parallelism = Math.max(1, s.getSpec().getUpdate().getParallelism());
        boolean settling = tasks.stream().anyMatch(t -> Tasks.wanted(t) && !Tasks.terminal(t)
                && t.getStatus().getState().getNumber() < TaskState.TASK_STATE_RUNNING_VALUE
                && !(t.getStatus().getState() == TaskState.TASK_STATE_PENDING && !t.getStatus().getErr().isEmpty()));
        int replaced = 0;
        for (Node n : nodes) {
            boolean ready = n.getStatus().getState() == NodeStatus.State.READY;
            boolean active = n.getSpec().getAvailability() == NodeAvailability.NODE_AVAILABILITY_ACTIVE;
            if (!eligible.test(n) || n.getSpec().getAvailability() == NodeAvailability.NODE_AVAILABILITY_DRAIN) {
                continue;
            }
            List<Task> here = byNode.getOrDefault(n.getId(), List.of());
            List<Task> alive = here.stream().filter(t -> Tasks.wanted(t) && !Tasks.terminal(t) && !retired.contains(t.getId())).toList();
            if (!alive.isEmpty()) {
                Task keep = alive.stream().max(Comparator.comparingInt(t -> t.getStatus().getState().getNumber())).orElseThrow();
                alive.stream().filter(t -> t != keep).forEach(retire);
                if (!keep.getSpec().equals(s.getSpec().getTask()) && !settling && replaced < parallelism && ready && active) {
                    retire.accept(keep);
                    out.add(create(s, n, nowMs, List.of()));
                    replaced++;
                }
                continue;
            }
            // ended ones are retired (kept as history); then maybe replaced
            here.stream().filter(Tasks::wanted).forEach(retire);
            if (!ready || !active) {
                continue;
            }
            Task latest = here.stream().max(Comparator.comparingLong(t -> t.getMeta().getVersion())).orElse(null);
            if (latest == null) {
                out.add(create(s, n, nowMs, List.of()));
                continue;
            }
            boolean current = Tasks.current(s, latest);
            if (job && latest.getStatus().getState() == TaskState.TASK_STATE_COMPLETE && current) {
                continue; // this node's part of the job is done
            }
            if (!current) {
                out.add(create(s, n, nowMs, List.of())); // a new spec (or a forced update) starts over
                continue;
            }
            if (!Tasks.terminal(latest)) {
                continue; // shut down before it ran (e.g. the node came back): nothing ended on its own
            }
            if (ReplicatedOrchestrator.mayRestart(s, latest, nowMs) && ReplicatedOrchestrator.restartDelayPassed(s, latest, nowMs)) {
                List<Long> history = new ArrayList<>(ReplicatedOrchestrator.restartHistory(s, latest, nowMs));
                history.add(nowMs);
                out.add(create(s, n, nowMs, history));
            }
        }
    }

    private StoreAction create(Service s, Node n, long nowMs, List<Long> restarts) {
        Task t = Tasks.newTask(s, 0, n.getId(), nowMs, ids.get()).toBuilder().addAllRestartsMs(restarts).build();
        return Batches.create(StoreObjects.wrap(t));
    }

    private static StoreAction shutdown(Task t) {
        return Tasks.shutdown(t);
    }
}
