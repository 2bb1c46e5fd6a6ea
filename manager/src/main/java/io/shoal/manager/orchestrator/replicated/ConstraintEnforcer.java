package io.shoal.manager.orchestrator.replicated;

import io.shoal.api.Node;
import io.shoal.api.Placement;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.scheduler.NodeInfo;
import io.shoal.scheduler.Pipeline;
import io.shoal.scheduler.filter.ConstraintFilter;
import io.shoal.scheduler.filter.PlatformFilter;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * swarmkit's constraint enforcer, folded into the replicated orchestrator: a task whose node no
 * longer satisfies the service's placement constraints or platforms (a label was removed, the
 * node was relabelled) is treated like a task on a drained node: shut down and replaced on a node
 * that fits. Each task is judged by its own spec's constraints, so an update that changes
 * constraints moves tasks through the rolling update (at its pace) instead. Reservations are not
 * re-checked: node resources do not shrink while Shoal runs.
 */
public final class ConstraintEnforcer {
    private ConstraintEnforcer() {}

    /** Whether a node satisfies a task spec's constraints and platforms. */
    public static Predicate<Node> fits(TaskSpec spec) {
        Pipeline p = new Pipeline(List.of(new PlatformFilter(), new ConstraintFilter()));
        try {
            p.setTask(Task.newBuilder().setSpec(spec).build());
        } catch (IllegalArgumentException e) {
            return n -> true; // unparseable (validation refuses these): enforce nothing
        }
        return n -> p.check(new NodeInfo(n, List.of()));
    }

    /**
     * The task sits on a node that no longer satisfies its constraints ({@code cache}: one
     * predicate per placement; a task without constraints or platforms fits every node, and is
     * judged without hashing its spec).
     */
    static boolean misplaced(Task t, Map<String, Node> nodes, Map<Placement, Predicate<Node>> cache) {
        if (t.getNodeId().isEmpty()) {
            return false;
        }
        Placement placement = t.getSpec().getPlacement();
        if (placement.getConstraintsCount() == 0 && placement.getPlatformsCount() == 0) {
            return false;
        }
        Node n = nodes.get(t.getNodeId());
        return n != null && !cache.computeIfAbsent(placement, p -> fits(t.getSpec())).test(n);
    }
}
