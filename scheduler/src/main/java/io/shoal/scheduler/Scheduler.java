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

    public Scheduler() {
        this(Strategy.SPREAD);
    }

    public Scheduler(Strategy strategy) {
        this.strategy = strategy;
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
