package io.shoal.scheduler.filter;

import io.shoal.api.Task;
import io.shoal.scheduler.Constraint;
import io.shoal.scheduler.NodeInfo;

import java.util.List;

/** The node satisfies every placement constraint of the task ({@code node.labels.zone==a}, ...). */
public final class ConstraintFilter implements Filter {
    private List<Constraint> constraints = List.of();

    @Override
    public boolean setTask(Task task) {
        constraints = Constraint.parseAll(task.getSpec().getPlacement().getConstraintsList());
        return !constraints.isEmpty();
    }

    @Override
    public boolean check(NodeInfo node) {
        return constraints.stream().allMatch(c -> c.matches(node.node()));
    }

    @Override
    public String explain(int nodes) {
        return "scheduling constraints not satisfied on " + Filter.nodes(nodes);
    }
}
