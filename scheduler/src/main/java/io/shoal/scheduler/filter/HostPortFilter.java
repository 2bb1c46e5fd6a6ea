package io.shoal.scheduler.filter;

import io.shoal.api.PortConfig;
import io.shoal.api.Task;
import io.shoal.scheduler.NodeInfo;

import java.util.List;

/** None of the task's host-mode published ports is taken on the node. */
public final class HostPortFilter implements Filter {
    private List<PortConfig> ports = List.of();

    @Override
    public boolean setTask(Task task) {
        ports = NodeInfo.hostPorts(task);
        return !ports.isEmpty();
    }

    @Override
    public boolean check(NodeInfo node) {
        return ports.stream().noneMatch(p -> node.hostPortInUse(p.getProtocol(), p.getPublishedPort()));
    }

    @Override
    public String explain(int nodes) {
        return "host-mode port already in use on " + Filter.nodes(nodes);
    }
}
