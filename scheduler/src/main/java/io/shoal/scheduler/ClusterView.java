package io.shoal.scheduler;

import io.shoal.api.Node;
import io.shoal.api.Task;

import java.util.List;

/**
 * What the scheduler decides from: every node, and every task that holds a place on a node
 * (assigned and not finished). A read-only snapshot; the scheduler never sees the store.
 */
public record ClusterView(List<Node> nodes, List<Task> placedTasks) {
    public ClusterView {
        nodes = List.copyOf(nodes);
        placedTasks = List.copyOf(placedTasks);
    }
}
