package io.shoal.scheduler.filter;

import io.shoal.api.Task;
import io.shoal.scheduler.NodeInfo;

/** The node runs fewer than {@code --replicas-max-per-node} tasks of the task's service. */
public final class MaxReplicasFilter implements Filter {
    private long max;
    private String serviceId;

    @Override
    public boolean setTask(Task task) {
        max = task.getSpec().getPlacement().getMaxReplicas();
        serviceId = task.getServiceId();
        return max > 0;
    }

    @Override
    public boolean check(NodeInfo node) {
        return node.tasksOf(serviceId) < max;
    }

    @Override
    public String explain(int nodes) {
        return "max replicas per node limit exceeded on " + Filter.nodes(nodes);
    }
}
