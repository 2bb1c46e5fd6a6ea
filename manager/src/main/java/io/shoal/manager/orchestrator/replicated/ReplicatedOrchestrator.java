package io.shoal.manager.orchestrator.replicated;

import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeStatus;
import io.shoal.api.Placement;
import io.shoal.api.RestartPolicy;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.orchestrator.Changes;
import io.shoal.manager.orchestrator.Reconciler;
import io.shoal.manager.orchestrator.Tasks;
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
 * Keeps every replicated service at its replica count, one live task per slot:
 * <ul>
 *   <li>a slot whose task finished, failed, or sits on a Down or drained node gets a replacement in the same
 *       slot, as the restart policy allows (condition, max attempts); the old task is told to
 *       shut down and stays as history;</li>
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
    /** Swarm mode waits restart_delay (default 5 s) after a task ends before replacing it. */
    static final long DEFAULT_RESTART_DELAY_MS = 5_000;


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
                reconcileService(s, tx.tasksOfService(s.getId()), nodes, load, nowMs, grace, out);
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
                tx.service(id).filter(s -> tx.tasksOfService(id).stream().anyMatch(t -> Tasks.wanted(t) && !Tasks.current(s, t)))
                        .ifPresent(s -> touched.add(id));
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
                reconcileService(s.get(), tx.tasksOfService(id), nodes, load, nowMs, grace, out);
            }
        }
        return out;
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

    private void reconcileService(Service s, List<Task> tasks, Map<String, Node> nodes, ToIntFunction<String> load,
                                  long nowMs, long grace, List<StoreAction> out) {
        Map<Placement, Predicate<Node>> fits = new HashMap<>();
        long replicas = s.getSpec().getReplicated().getReplicas();
        Map<Long, List<Task>> bySlot = new TreeMap<>();
        tasks.forEach(t -> bySlot.computeIfAbsent(t.getSlot(), k -> new ArrayList<>()).add(t));
        // slot -> the task serving it (null: closed by the restart policy, still counts as a replica)
        Map<Long, Task> live = new TreeMap<>();
        Set<String> created = new HashSet<>();
        for (Map.Entry<Long, List<Task>> e : bySlot.entrySet()) {
            long slot = e.getKey();
            if (e.getValue().size() == 1) { // the common case, decided without the general bookkeeping below
                Task only = e.getValue().get(0);
                if (Tasks.wanted(only) && !Tasks.terminal(only) && !onDownNode(only, nodes, nowMs, grace)
                        && !ConstraintEnforcer.misplaced(only, nodes, fits)) {
                    live.put(slot, only);
                    continue;
                }
            }
            List<Task> wanted = e.getValue().stream().filter(Tasks::wanted).toList();
            List<Task> alive = wanted.stream().filter(t -> !Tasks.terminal(t) && !onDownNode(t, nodes, nowMs, grace)
                    && !ConstraintEnforcer.misplaced(t, nodes, fits)).toList();
            // retire what can no longer serve the slot: finished, failed, or on a Down node
            wanted.stream().filter(t -> !alive.contains(t)).forEach(t -> out.add(shutdown(t)));
            if (!alive.isEmpty()) {
                Task keep = alive.stream().max(Comparator.comparingInt(t -> t.getStatus().getState().getNumber())).orElseThrow();
                live.put(slot, keep);
                alive.stream().filter(t -> t != keep).forEach(t -> out.add(shutdown(t)));
                continue;
            }
            Task latest = e.getValue().stream().max(Comparator.comparingLong(t -> t.getMeta().getVersion())).orElseThrow();
            boolean endedOnItsOwn = switch (latest.getStatus().getState()) {
                case TASK_STATE_COMPLETE, TASK_STATE_FAILED, TASK_STATE_REJECTED -> true;
                default -> false;
            };
            boolean lost = !wanted.isEmpty() || endedOnItsOwn || onDownNode(latest, nodes, nowMs, grace)
                    || ConstraintEnforcer.misplaced(latest, nodes, fits);
            if (slot > replicas || !lost || wanted.isEmpty() && !endedOnItsOwn) {
                continue; // closed by a scale-down, or retired earlier for a reason that needs no replacement
            }
            boolean restart = mayRestart(s, latest, nowMs);
            if (restart && !restartDelayPassed(s, latest, nowMs)) {
                live.put(slot, null); // a replacement is due once the restart delay has passed
            } else if (restart) {
                Task replacement = Tasks.newTask(s, slot, "", nowMs, ids.get()).toBuilder()
                        .addAllRestartsMs(restartHistory(s, latest, nowMs)).addRestartsMs(nowMs).build();
                out.add(Batches.create(StoreObjects.wrap(replacement)));
                created.add(replacement.getId());
                live.put(slot, replacement);
            } else {
                live.put(slot, null);
            }
        }
        rollOutdated(s, live, nowMs, created, out);
        if (live.size() > replicas) {
            List<Map.Entry<Long, Task>> order = new ArrayList<>(live.entrySet());
            order.sort(Comparator.<Map.Entry<Long, Task>>comparingInt(e -> e.getValue() != null
                            && e.getValue().getStatus().getState() == TaskState.TASK_STATE_RUNNING ? 1 : 0)
                    .thenComparing(e -> -load.applyAsInt(e.getValue() == null ? "" : e.getValue().getNodeId()))
                    .thenComparing(e -> -e.getKey()));
            for (int i = 0; i < live.size() - replicas; i++) {
                Task t = order.get(i).getValue();
                if (t == null) {
                    continue;
                }
                if (created.contains(t.getId())) {
                    out.removeIf(a -> a.getKind() == StoreAction.Kind.CREATE && StoreObjects.id(a.getObject()).equals(t.getId()));
                } else {
                    out.add(shutdown(t));
                }
            }
        } else {
            long slot = 1;
            for (long missing = replicas - live.size(); missing > 0; missing--) {
                while (live.containsKey(slot)) {
                    slot++;
                }
                Task t = Tasks.newTask(s, slot, "", nowMs, ids.get());
                out.add(Batches.create(StoreObjects.wrap(t)));
                live.put(slot, t);
            }
        }
    }

    /**
     * The basic rolling update: tasks whose spec is not the service's are replaced, at most
     * {@code update.parallelism} (default 1) at a time, and only while every other task of the
     * service is running or finished, so a bad update stops at the first batch that fails to run.
     */
    private void rollOutdated(Service s, Map<Long, Task> live, long nowMs, Set<String> created, List<StoreAction> out) {
        // in progress: created this pass, or on its way to running; a task stuck pending (no node
        // can take it) does not hold the update back
        boolean settling = live.values().stream().anyMatch(t -> t != null && (created.contains(t.getId())
                || (t.getStatus().getState().getNumber() < TaskState.TASK_STATE_RUNNING_VALUE
                    && !(t.getStatus().getState() == TaskState.TASK_STATE_PENDING && !t.getStatus().getErr().isEmpty()))));
        if (settling) {
            return;
        }
        long parallelism = Math.max(1, s.getSpec().getUpdate().getParallelism());
        int replaced = 0;
        for (Map.Entry<Long, Task> e : live.entrySet()) {
            Task t = e.getValue();
            if (t == null || t.getSpec().equals(s.getSpec().getTask()) || replaced >= parallelism) {
                continue;
            }
            out.add(shutdown(t));
            Task next = Tasks.newTask(s, e.getKey(), "", nowMs, ids.get());
            out.add(Batches.create(StoreObjects.wrap(next)));
            created.add(next.getId());
            e.setValue(next);
            replaced++;
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

    /**
     * Restart policy: condition none / on-failure / any, and at most max_attempts restarts of the
     * slot, counted within the window when there is one (all of them otherwise). The restarts are
     * the ones recorded on the slot's latest task, so the count survives leader failovers and the
     * reaping of old tasks.
     */
    public static boolean mayRestart(Service s, Task last, long nowMs) {
        RestartPolicy p = s.getSpec().getTask().getRestart();
        TaskState state = last.getStatus().getState();
        boolean failed = state != TaskState.TASK_STATE_COMPLETE;
        switch (p.getCondition()) {
            case NONE -> {
                if (Tasks.terminal(last)) {
                    return false;
                }
            }
            case ON_FAILURE -> {
                if (!failed) {
                    return false;
                }
            }
            default -> { }
        }
        return p.getMaxAttempts() == 0 || restartHistory(s, last, nowMs).size() < p.getMaxAttempts();
    }

    /** The slot's restarts that count now: those within the window (all when there is none), at most the last 100. */
    public static List<Long> restartHistory(Service s, Task last, long nowMs) {
        long window = s.getSpec().getTask().getRestart().getWindowMs();
        List<Long> kept = last.getRestartsMsList().stream().filter(t -> window <= 0 || t > nowMs - window).toList();
        return kept.size() <= 100 ? kept : kept.subList(kept.size() - 100, kept.size());
    }

    public static boolean restartDelayPassed(Service s, Task latest, long nowMs) {
        var p = s.getSpec().getTask().getRestart();
        long delay = p.getDelaySet() ? p.getDelayMs() : DEFAULT_RESTART_DELAY_MS;
        return nowMs - latest.getStatus().getTimestampMs() >= delay;
    }

    static StoreAction shutdown(Task t) {
        return Tasks.shutdown(t);
    }
}
