package io.shoal.scheduler;

import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeStatus;
import io.shoal.api.PortConfig;
import io.shoal.api.Resources;
import io.shoal.api.Task;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node as the scheduler sees it: the node object plus what its current tasks reserve. Mutable
 * only through {@link #add(Task)}, which the scheduler calls as it places tasks within one pass, so
 * later decisions see earlier ones.
 */
public final class NodeInfo {
    private final Node node;
    private long reservedCpu;
    private long reservedMemory;
    private int tasks;
    private final Map<String, Integer> tasksByService = new HashMap<>();
    private final Set<String> hostPorts = new HashSet<>();

    public NodeInfo(Node node, List<Task> tasks) {
        this.node = node;
        tasks.forEach(this::add);
    }

    public Node node() {
        return node;
    }

    public String id() {
        return node.getId();
    }

    public boolean ready() {
        return node.getStatus().getState() == NodeStatus.State.READY;
    }

    public boolean active() {
        return node.getSpec().getAvailability() == NodeAvailability.NODE_AVAILABILITY_ACTIVE;
    }

    public long freeCpu() {
        return node.getDescription().getResources().getNanoCpus() - reservedCpu;
    }

    public long freeMemory() {
        return node.getDescription().getResources().getMemoryBytes() - reservedMemory;
    }

    public int tasks() {
        return tasks;
    }

    public int tasksOf(String serviceId) {
        return tasksByService.getOrDefault(serviceId, 0);
    }

    public boolean hostPortInUse(PortConfig.Protocol protocol, int port) {
        return hostPorts.contains(protocol + "/" + port);
    }

    /** The host-mode published ports a task needs on its node. */
    public static List<PortConfig> hostPorts(Task t) {
        return t.getEndpoint().getPortsList().stream()
                .filter(p -> p.getPublishMode() == PortConfig.PublishMode.HOST && p.getPublishedPort() != 0)
                .toList();
    }

    /** Counts a task placed on (or already running on) this node. */
    public void add(Task t) {
        Resources r = t.getSpec().getResources().getReservations();
        reservedCpu += r.getNanoCpus();
        reservedMemory += r.getMemoryBytes();
        tasks++;
        tasksByService.merge(t.getServiceId(), 1, Integer::sum);
        for (PortConfig p : hostPorts(t)) {
            hostPorts.add(p.getProtocol() + "/" + p.getPublishedPort());
        }
    }
}
