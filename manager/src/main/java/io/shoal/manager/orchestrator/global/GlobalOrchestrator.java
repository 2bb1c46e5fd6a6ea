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
import io.shoal.manager.orchestrator.restart.Restarts;
import io.shoal.manager.orchestrator.update.Updater;
import io.shoal.manager.orchestrator.replicated.ConstraintEnforcer;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.ArrayList;
import java.util.Collection;
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
 *   <li>a spec change rolls over the nodes as the service's update config says ({@link Updater}), each
 *       node a slot.</li>
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
                reconcileService(tx, s, tx.tasksOfService(s.getId()), nodes, nowMs, grace, out);
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
                reconcileService(tx, s.get(), tx.tasksOfService(id), nodes, nowMs, grace, out);
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

    private void reconcileService(ReadTx tx, Service current, List<Task> tasks, List<Node> nodes, long nowMs, long grace, List<StoreAction> out) {
        Predicate<Node> eligible = ConstraintEnforcer.fits(current.getSpec().getTask());
        boolean job = current.getSpec().hasGlobalJob();
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
        // classify: each node that may run it is a slot, served by one task (two while an update replaces it)
        List<Updater.Slot> slots = new ArrayList<>();
        List<Node> empty = new ArrayList<>();
        for (Node n : nodes) {
            if (!eligible.test(n) || n.getSpec().getAvailability() == NodeAvailability.NODE_AVAILABILITY_DRAIN) {
                continue;
            }
            List<Task> here = byNode.getOrDefault(n.getId(), List.of());
            List<Task> alive = here.stream().filter(t -> Tasks.wanted(t) && !Tasks.terminal(t) && !retired.contains(t.getId())).toList();
            if (alive.isEmpty()) {
                here.stream().filter(Tasks::wanted).forEach(retire); // ended ones are retired (kept as history); then maybe replaced
                empty.add(n);
                if (!here.isEmpty()) {
                    slots.add(new Updater.Slot(n.getId(), List.of(), here, open(n))); // its failed tasks count for the update
                }
                continue;
            }
            List<Task> keep = alive.size() == 1 ? alive : Updater.keep(current, alive);
            alive.stream().filter(t -> !keep.contains(t)).forEach(retire);
            slots.add(new Updater.Slot(n.getId(), keep, here, open(n)));
        }
        Service s = Updater.status(tx, current, slots, nowMs);
        if (s != current) {
            out.add(Batches.update(StoreObjects.wrap(s)));
        }
        for (Node n : empty) {
            if (!open(n)) {
                continue;
            }
            List<Task> here = byNode.getOrDefault(n.getId(), List.of());
            if (here.isEmpty()) {
                out.add(create(s, n, nowMs, List.of()));
                continue;
            }
            Task latest = Tasks.newest(here);
            boolean upToDate = Tasks.current(s, latest);
            if (job && latest.getStatus().getState() == TaskState.TASK_STATE_COMPLETE && upToDate) {
                continue; // this node's part of the job is done
            }
            if (!upToDate) {
                out.add(create(s, n, nowMs, List.of())); // a new spec (or a forced update) starts over
                continue;
            }
            if (!Tasks.terminal(latest)) {
                continue; // shut down before it ran (e.g. the node came back): nothing ended on its own
            }
            if (Restarts.decide(s, latest, nowMs) instanceof Restarts.Decision.Now now) {
                out.add(create(s, n, nowMs, now.history()));
            }
        }
        out.addAll(Updater.roll(s, slots, nodeById, slot -> Tasks.newTask(s, 0, slot.key(), nowMs, ids.get()), nowMs));
    }

    /** A node that takes new tasks: Ready and active (a paused node keeps what it runs). */
    private static boolean open(Node n) {
        return n.getStatus().getState() == NodeStatus.State.READY
                && n.getSpec().getAvailability() == NodeAvailability.NODE_AVAILABILITY_ACTIVE;
    }

    private StoreAction create(Service s, Node n, long nowMs, List<Long> restarts) {
        Task t = Tasks.newTask(s, 0, n.getId(), nowMs, ids.get()).toBuilder().addAllRestartsMs(restarts).build();
        return Batches.create(StoreObjects.wrap(t));
    }

    private static StoreAction shutdown(Task t) {
        return Tasks.shutdown(t);
    }
}
