package io.shoal.scheduler.filter;

import io.shoal.api.Task;
import io.shoal.scheduler.NodeInfo;

/** The node is Ready and Active (not paused or drained). */
public final class ReadyFilter implements Filter {
    @Override
    public boolean setTask(Task task) {
        return true;
    }

    @Override
    public boolean check(NodeInfo node) {
        return node.ready() && node.active();
    }

    @Override
    public String explain(int nodes) {
        return Filter.nodes(nodes) + " not available for new tasks";
    }
}
