package io.shoal.scheduler;

import io.shoal.api.Node;
import io.shoal.api.PlacementPreference;
import io.shoal.api.Task;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Pure placement: given a view of the cluster and the pending tasks, decide where each goes. No
 * clock, no I/O, no threads: the same input always gives the same decisions.
 *
 * <p>Tasks of one service (same spec version) are decided as a group, each placement counted
 * before the next so the group spreads. Ranking among the nodes that pass every filter:
 * <ol>
 *   <li>placement preferences, outermost first: the value (e.g. zone) holding the fewest of the
 *       service's tasks; nodes without the label form their own group, as in swarm mode;</li>
 *   <li>the fewest tasks of this service on the node;</li>
 *   <li>{@link Strategy#SPREAD}: the fewest tasks in all; {@link Strategy#BINPACK}: the least
 *       free memory, then CPU, that still fits (fills nodes up before using new ones);</li>
 *   <li>the node id, so ties break the same way everywhere.</li>
 * </ol>
 */
public final class Scheduler {
    public enum Strategy { SPREAD, BINPACK }

    private final Strategy strategy;
    private final boolean scanOnly;

    public Scheduler() {
        this(Strategy.SPREAD);
    }

    public Scheduler(Strategy strategy) {
        this(strategy, false);
    }

    /** @param scanOnly always rank node by node (the reference the heap path is tested against) */
    Scheduler(Strategy strategy, boolean scanOnly) {
        this.strategy = strategy;
        this.scanOnly = scanOnly;
    }

    public Decisions schedule(ClusterView view, List<Task> pending) {
        Map<String, List<Task>> byNode = new HashMap<>();
        for (Task t : view.placedTasks()) {
            byNode.computeIfAbsent(t.getNodeId(), k -> new ArrayList<>()).add(t);
        }
        List<NodeInfo> nodes = new ArrayList<>();
        for (Node n : view.nodes()) {
            nodes.add(new NodeInfo(n, byNode.getOrDefault(n.getId(), List.of())));
        }
        nodes.sort(Comparator.comparing(NodeInfo::id));

        Map<String, List<Task>> groups = new LinkedHashMap<>();
        for (Task t : pending) {
            groups.computeIfAbsent(t.getServiceId() + "@" + t.getSpecVersion(), k -> new ArrayList<>()).add(t);
        }
        List<Decisions.Placement> placed = new ArrayList<>();
        List<Decisions.Pending> left = new ArrayList<>();
        Pipeline pipeline = new Pipeline();
        for (List<Task> group : groups.values()) {
            scheduleGroup(group, nodes, pipeline, placed, left);
        }
        return new Decisions(placed, left);
    }

    private void scheduleGroup(List<Task> group, List<NodeInfo> nodes, Pipeline pipeline,
                               List<Decisions.Placement> placed, List<Decisions.Pending> left) {
        Task first = group.get(0);
        String serviceId = first.getServiceId();
        List<String> prefs = first.getSpec().getPlacement().getPreferencesList().stream()
                .map(PlacementPreference::getSpreadDescriptor).toList();
        Map<NodeInfo, List<String>> paths = new HashMap<>();
        Map<String, Integer> perPath = new HashMap<>();
        for (NodeInfo n : nodes) {
            List<String> path = path(n, prefs);
            paths.put(n, path);
            for (String p : path) {
                perPath.merge(p, n.tasksOf(serviceId), Integer::sum);
            }
        }
        if (!scanOnly && prefs.isEmpty() && group.stream().allMatch(t -> t.getSpec().equals(first.getSpec()))) {
            scheduleGroupFast(group, nodes, pipeline, paths, perPath, placed, left);
            return;
        }
        for (Task t : group) {
            try {
                pipeline.setTask(t);
            } catch (IllegalArgumentException e) {
                left.add(new Decisions.Pending(t, e.getMessage()));
                continue;
            }
            NodeInfo best = null;
            for (NodeInfo n : nodes) {
                if (pipeline.check(n) && (best == null || better(n, best, serviceId, paths, perPath) )) {
                    best = n;
                }
            }
            if (best == null) {
                left.add(new Decisions.Pending(t, pipeline.explain()));
                continue;
            }
            best.add(t);
            for (String p : paths.get(best)) {
                perPath.merge(p, 1, Integer::sum);
            }
            placed.add(new Decisions.Placement(t, best.id()));
        }
    }

    /**
     * The same decisions as the node-by-node scan, in O(log nodes) per task: without placement
     * preferences a placement changes the rank of the chosen node only, and the tasks of a group
     * share one spec, so a node a filter rejects stays rejected for the rest of the group (resources
     * and ports only get taken). The nodes that pass wait in a heap by rank; the chosen one is
     * checked again before its next use.
     */
    private void scheduleGroupFast(List<Task> group, List<NodeInfo> nodes, Pipeline pipeline, Map<NodeInfo, List<String>> paths,
                                   Map<String, Integer> perPath, List<Decisions.Placement> placed, List<Decisions.Pending> left) {
        String serviceId = group.get(0).getServiceId();
        try {
            pipeline.setTask(group.get(0));
        } catch (IllegalArgumentException e) {
            group.forEach(t -> left.add(new Decisions.Pending(t, e.getMessage())));
            return;
        }
        PriorityQueue<NodeInfo> ranked = new PriorityQueue<>(Math.max(1, nodes.size()),
                (a, b) -> a == b ? 0 : better(a, b, serviceId, paths, perPath) ? -1 : 1);
        for (NodeInfo n : nodes) {
            if (pipeline.check(n)) {
                ranked.add(n);
            }
        }
        String none = null;
        for (Task t : group) {
            NodeInfo best = null;
            if (none == null) {
                pipeline.setTask(t);
                while (best == null && !ranked.isEmpty()) {
                    NodeInfo n = ranked.poll();
                    if (pipeline.check(n)) {
                        best = n;
                    }
                }
            }
            if (best == null) {
                if (none == null) { // the explanation counts every node's rejection, as the scan does
                    pipeline.setTask(t);
                    nodes.forEach(pipeline::check);
                    none = pipeline.explain();
                }
                left.add(new Decisions.Pending(t, none));
                continue;
            }
            best.add(t);
            ranked.add(best);
            placed.add(new Decisions.Placement(t, best.id()));
        }
    }

    /** The node's value path under the preferences: ["zone=a", "zone=a/rack=3", ...]. */
    private static List<String> path(NodeInfo n, List<String> prefs) {
        List<String> out = new ArrayList<>(prefs.size());
        StringBuilder sb = new StringBuilder();
        for (String p : prefs) {
            sb.append('/').append(p).append('=').append(Constraint.valueOf(n.node(), p).orElse("\u0000"));
            out.add(sb.toString());
        }
        return out;
    }

    private boolean better(NodeInfo a, NodeInfo b, String serviceId, Map<NodeInfo, List<String>> paths,
                           Map<String, Integer> perPath) {
        List<String> pa = paths.get(a);
        List<String> pb = paths.get(b);
        for (int i = 0; i < pa.size(); i++) {
            int ca = perPath.getOrDefault(pa.get(i), 0);
            int cb = perPath.getOrDefault(pb.get(i), 0);
            if (ca != cb) {
                return ca < cb;
            }
        }
        int sa = a.tasksOf(serviceId);
        int sb = b.tasksOf(serviceId);
        if (sa != sb) {
            return sa < sb;
        }
        if (strategy == Strategy.SPREAD) {
            if (a.tasks() != b.tasks()) {
                return a.tasks() < b.tasks();
            }
        } else {
            if (a.freeMemory() != b.freeMemory()) {
                return a.freeMemory() < b.freeMemory();
            }
            if (a.freeCpu() != b.freeCpu()) {
                return a.freeCpu() < b.freeCpu();
            }
        }
        return a.id().compareTo(b.id()) < 0;
    }
}
