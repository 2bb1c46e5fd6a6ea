package io.shoal.manager.orchestrator.replicated;

import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeStatus;
import io.shoal.api.Placement;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.orchestrator.Changes;
import io.shoal.manager.orchestrator.Reconciler;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.orchestrator.restart.DelayedStart;
import io.shoal.manager.orchestrator.restart.Restarts;
import io.shoal.manager.orchestrator.update.Updater;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Keeps every replicated service at its replica count, one live task per slot (two while a
 * rolling update replaces it):
 * <ul>
 *   <li>a slot whose task finished, failed, or sits on a Down or drained node gets a replacement in the same
 *       slot, as the restart policy allows ({@link Restarts}); the old task is told to
 *       shut down and stays as history;</li>
 *   <li>a spec change rolls over the slots as the service's update config says ({@link Updater});</li>
 *   <li>scaling up opens the lowest free slot numbers; scaling down closes slots whose task is not
 *       running first, then those on the most loaded nodes, then the highest numbers;</li>
 *   <li>tasks of removed services are told to shut down.</li>
 * </ul>
 */
public final class ReplicatedOrchestrator implements Reconciler {
    /**
     * The default of how long a node stays Down before its tasks are started elsewhere; a cluster
     * sets its own at init ({@code --node-down-grace}, {@link ClusterSettings#downGraceMs}).
     */
    public static final long DOWN_GRACE_MS = ClusterSettings.DEFAULT_DOWN_GRACE_MS;

    private final Supplier<String> ids;

    public ReplicatedOrchestrator(Supplier<String> ids) {
        this.ids = ids;
    }

    @Override
    public String name() {
        return "replicated-orchestrator";
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        List<StoreAction> out = new ArrayList<>();
        Map<String, Node> nodes = nodes(tx);
        ToIntFunction<String> load = load(tx);
        long grace = ClusterSettings.downGraceMs(tx.cluster());
        Set<String> services = new HashSet<>();
        for (Service s : tx.services()) {
            services.add(s.getId());
            if (s.getSpec().hasReplicated()) {
                reconcileService(tx, s, tx.tasksOfService(s.getId()), nodes, load, nowMs, grace, out);
            }
        }
        for (Task t : tx.tasks()) {
            if (!services.contains(t.getServiceId()) && Tasks.wanted(t) && t.getSlot() > 0) {
                out.add(shutdown(t));
            }
        }
        return out;
    }

    /**
     * Only the services whose tasks or spec changed, those with tasks on changed nodes, and those
     * whose tasks only progressed while an update rolls (progress is what lets the next batch go).
     */
    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs, Changes changes) {
        if (changes.all()) {
            return reconcile(tx, nowMs);
        }
        Set<String> touched = new TreeSet<>(changes.services());
        for (String node : changes.nodes()) {
            tx.tasksOnNode(node).forEach(t -> touched.add(t.getServiceId()));
        }
        // a node's state alone matters here only once it is Down past the grace (or gone); a node
        // still in its grace is looked at again by the full pass
        long graceMs = ClusterSettings.downGraceMs(tx.cluster());
        for (String node : changes.nodeStates()) {
            boolean lost = tx.node(node).map(n -> n.getStatus().getState() == NodeStatus.State.DOWN
                    && nowMs - n.getStatus().getSinceMs() >= graceMs).orElse(true);
            if (lost) {
                tx.tasksOnNode(node).forEach(t -> touched.add(t.getServiceId()));
            }
        }
        for (String id : changes.progressed()) {
            if (!touched.contains(id)) {
                tx.service(id).filter(s -> rolling(s, tx.tasksOfService(id))).ifPresent(s -> touched.add(id));
            }
        }
        if (touched.isEmpty()) {
            return List.of();
        }
        List<StoreAction> out = new ArrayList<>();
        Map<String, Node> nodes = nodes(tx);
        ToIntFunction<String> load = load(tx);
        long grace = ClusterSettings.downGraceMs(tx.cluster());
        for (String id : touched) {
            Optional<Service> s = tx.service(id);
            if (s.isEmpty()) {
                tx.tasksOfService(id).stream().filter(t -> Tasks.wanted(t) && t.getSlot() > 0).forEach(t -> out.add(shutdown(t)));
            } else if (s.get().getSpec().hasReplicated()) {
                reconcileService(tx, s.get(), tx.tasksOfService(id), nodes, load, nowMs, grace, out);
            }
        }
        return out;
    }

    /** An update is under way or unfinished: a task's progress may let it go on. */
    static boolean rolling(Service s, List<Task> tasks) {
        return Updater.active(s) || tasks.stream().anyMatch(t -> Tasks.wanted(t) && (!Tasks.current(s, t) || DelayedStart.held(t)));
    }

    private static Map<String, Node> nodes(ReadTx tx) {
        Map<String, Node> nodes = new HashMap<>();
        tx.nodes().forEach(n -> nodes.put(n.getId(), n));
        return nodes;
    }

    /** Tasks holding a place on each node, counted on demand (only a scale-down asks). */
    private static ToIntFunction<String> load(ReadTx tx) {
        Map<String, Integer> memo = new HashMap<>();
        return node -> node.isEmpty() ? 0
                : memo.computeIfAbsent(node, n -> (int) tx.tasksOnNode(n).stream().filter(Tasks::placed).count());
    }

    /**
     * One service: classify its slots (what serves each, what is retired), let the update decide
     * where it stands, restart the slots whose task ended, roll the update on, and scale.
     */
    private void reconcileService(ReadTx tx, Service current, List<Task> tasks, Map<String, Node> nodes, ToIntFunction<String> load,
                                  long nowMs, long grace, List<StoreAction> out) {
        Map<Placement, Predicate<Node>> fits = new HashMap<>();
        Map<Long, List<Task>> bySlot = new TreeMap<>();
        tasks.forEach(t -> bySlot.computeIfAbsent(t.getSlot(), k -> new ArrayList<>()).add(t));
        // classify: slot -> the tasks serving it (two while an update replaces one); slots left empty
        Map<Long, List<Task>> live = new TreeMap<>();
        List<Long> empty = new ArrayList<>();
        for (Map.Entry<Long, List<Task>> e : bySlot.entrySet()) {
            long slot = e.getKey();
            if (e.getValue().size() == 1) { // the common case, decided without the general bookkeeping below
                Task only = e.getValue().get(0);
                if (Tasks.wanted(only) && !Tasks.terminal(only) && !onDownNode(only, nodes, nowMs, grace)
                        && !ConstraintEnforcer.misplaced(only, nodes, fits)) {
                    live.put(slot, List.of(only));
                    continue;
                }
            }
            List<Task> wanted = e.getValue().stream().filter(Tasks::wanted).toList();
            List<Task> alive = wanted.stream().filter(t -> !Tasks.terminal(t) && !onDownNode(t, nodes, nowMs, grace)
                    && !ConstraintEnforcer.misplaced(t, nodes, fits)).toList();
            // retire what can no longer serve the slot: finished, failed, or on a Down node
            wanted.stream().filter(t -> !alive.contains(t)).forEach(t -> out.add(shutdown(t)));
            if (alive.isEmpty()) {
                empty.add(slot);
                continue;
            }
            List<Task> keep = alive.size() == 1 ? alive : Updater.keep(current, alive);
            alive.stream().filter(t -> !keep.contains(t)).forEach(t -> out.add(shutdown(t)));
            live.put(slot, keep);
        }
        // the update sees every open slot, the empty ones too (their failed tasks count)
        long open = current.getSpec().getReplicated().getReplicas();
        List<Updater.Slot> view = new ArrayList<>(live.size());
        bySlot.forEach((slot, all) -> {
            if (live.containsKey(slot) || slot <= open) {
                view.add(new Updater.Slot(String.valueOf(slot), live.getOrDefault(slot, List.of()), all, true));
            }
        });
        Service s = Updater.status(tx, current, view, nowMs);
        if (s != current) {
            out.add(Batches.update(StoreObjects.wrap(s)));
        }
        long replicas = s.getSpec().getReplicated().getReplicas();
        Set<Long> waiting = new HashSet<>(); // closed by the restart policy or waiting out its delay: still replicas
        Set<String> created = new HashSet<>();
        for (long slot : empty) {
            List<Task> all = bySlot.get(slot);
            Task latest = Tasks.newest(all);
            boolean endedOnItsOwn = switch (latest.getStatus().getState()) {
                case TASK_STATE_COMPLETE, TASK_STATE_FAILED, TASK_STATE_REJECTED -> true;
                default -> false;
            };
            boolean wanted = all.stream().anyMatch(Tasks::wanted);
            boolean lost = wanted || endedOnItsOwn || onDownNode(latest, nodes, nowMs, grace)
                    || ConstraintEnforcer.misplaced(latest, nodes, fits);
            if (slot > replicas || !lost || !wanted && !endedOnItsOwn) {
                continue; // closed by a scale-down, or retired earlier for a reason that needs no replacement
            }
            switch (Restarts.decide(s, latest, nowMs)) {
                case Restarts.Decision.Now now -> {
                    Task replacement = Tasks.newTask(s, slot, "", nowMs, ids.get()).toBuilder().addAllRestartsMs(now.history()).build();
                    out.add(Batches.create(StoreObjects.wrap(replacement)));
                    created.add(replacement.getId());
                    live.put(slot, List.of(replacement));
                }
                case Restarts.Decision.Later later -> waiting.add(slot);
                case Restarts.Decision.Never never -> waiting.add(slot);
            }
        }
        for (StoreAction a : Updater.roll(s, view, nodes, slot -> Tasks.newTask(s, Long.parseLong(slot.key()), "", nowMs, ids.get()), nowMs)) {
            out.add(a);
            if (a.getKind() == StoreAction.Kind.CREATE) {
                Task t = a.getObject().getTask();
                created.add(t.getId());
                List<Task> serving = new ArrayList<>(live.get(t.getSlot()));
                serving.add(t);
                live.put(t.getSlot(), serving);
            }
        }
        scale(s, live, waiting, replicas, load, nowMs, created, out);
    }

    /**
     * Scaling up opens the lowest free slot numbers; scaling down closes slots whose task is not
     * running first, then those on the most loaded nodes, then the highest numbers (a slot
     * waiting out its restart delay counts as a replica and is closed first).
     */
    private void scale(Service s, Map<Long, List<Task>> live, Set<Long> waiting, long replicas, ToIntFunction<String> load,
                       long nowMs, Set<String> created, List<StoreAction> out) {
        long have = live.size() + waiting.size();
        if (have > replicas) {
            List<Long> order = new ArrayList<>(waiting);
            List<Long> serving = new ArrayList<>(live.keySet());
            serving.sort(Comparator.<Long>comparingInt(slot -> live.get(slot).stream()
                            .anyMatch(t -> t.getStatus().getState() == TaskState.TASK_STATE_RUNNING) ? 1 : 0)
                    .thenComparing(slot -> -load.applyAsInt(live.get(slot).getFirst().getNodeId()))
                    .thenComparing(slot -> -slot));
            order.addAll(serving);
            for (int i = 0; i < have - replicas; i++) {
                for (Task t : live.getOrDefault(order.get(i), List.of())) {
                    if (created.contains(t.getId())) {
                        out.removeIf(a -> a.getKind() == StoreAction.Kind.CREATE && StoreObjects.id(a.getObject()).equals(t.getId()));
                    } else {
                        out.add(shutdown(t));
                    }
                }
            }
            return;
        }
        long slot = 1;
        for (long missing = replicas - have; missing > 0; missing--) {
            while (live.containsKey(slot) || waiting.contains(slot)) {
                slot++;
            }
            Task t = Tasks.newTask(s, slot, "", nowMs, ids.get());
            out.add(Batches.create(StoreObjects.wrap(t)));
            live.put(slot, List.of(t));
        }
    }

    /** {@link #onDownNode(Task, Map, long, long)} with the default grace. */
    public static boolean onDownNode(Task t, Map<String, Node> nodes, long nowMs) {
        return onDownNode(t, nodes, nowMs, DOWN_GRACE_MS);
    }

    /** The task's node is gone, Down for at least {@code graceMs}, or drained: its tasks move elsewhere (pause only stops new ones). */
    public static boolean onDownNode(Task t, Map<String, Node> nodes, long nowMs, long graceMs) {
        if (t.getNodeId().isEmpty()) {
            return false;
        }
        Node n = nodes.get(t.getNodeId());
        return n == null
                || (n.getStatus().getState() == NodeStatus.State.DOWN && nowMs - n.getStatus().getSinceMs() >= graceMs)
                || n.getSpec().getAvailability() == NodeAvailability.NODE_AVAILABILITY_DRAIN;
    }

    static StoreAction shutdown(Task t) {
        return Tasks.shutdown(t);
    }
}
