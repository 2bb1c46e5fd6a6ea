package io.shoal.scheduler.filter;

import io.shoal.api.Task;
import io.shoal.scheduler.NodeInfo;

/**
 * One placement rule. The pipeline calls {@link #setTask} once per task (a filter that does not
 * apply to it returns false and is skipped), then {@link #check} per node; the nodes a filter
 * rejected are counted and {@link #explain} turns the count into the words a user sees in
 * {@code shoal service ps}, e.g. "insufficient memory on 3 nodes".
 */
public interface Filter {
    /** Prepares for {@code task}; false if this filter has nothing to say about it. */
    boolean setTask(Task task);

    /** Whether the node can take the task set last. */
    boolean check(NodeInfo node);

    /** Why {@code nodes} nodes were rejected. */
    String explain(int nodes);

    /** "1 node" / "3 nodes". */
    static String nodes(int n) {
        return n + (n == 1 ? " node" : " nodes");
    }
}
