package io.shoal.manager.orchestrator;

import io.shoal.api.Node;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;

import java.util.HashSet;
import java.util.Set;

/**
 * What changed in the store since a loop's previous pass: the services whose tasks or spec
 * changed, the nodes that changed, and the services whose tasks only progressed (moved forward
 * to a later state short of the end, on the same node, with nothing else changed: what workers
 * report most of the time, and what most loops need not look at). A loop may look at only what
 * these touch; {@link #ALL} (the first pass, after a snapshot, the periodic pass for time-based
 * decisions) means look at everything.
 */
public record Changes(boolean all, Set<String> services, Set<String> nodes, Set<String> progressed, Set<String> nodeStates) {
    public static final Changes ALL = new Changes(true, Set.of(), Set.of(), Set.of(), Set.of());

    /**
     * @param nodes      nodes created, removed, or whose spec, description or role changed
     * @param nodeStates nodes of which only the status changed (Ready, Down): a loop that acts on
     *                   a Down node only after the grace may leave those to the full pass
     */
    public Changes {
        services = Set.copyOf(services);
        nodes = Set.copyOf(nodes);
        progressed = Set.copyOf(progressed);
        nodeStates = Set.copyOf(nodeStates);
    }

    public Changes(boolean all, Set<String> services, Set<String> nodes) {
        this(all, services, nodes, Set.of(), Set.of());
    }

    /** Nodes changed in any way. */
    public Set<String> anyNodes() {
        if (nodeStates.isEmpty()) {
            return nodes;
        }
        Set<String> all = new HashSet<>(nodes);
        all.addAll(nodeStates);
        return all;
    }

    /** What either touched. */
    public Changes plus(Changes other) {
        if (all || other.all) {
            return ALL;
        }
        if (other.isEmpty()) {
            return this;
        }
        Gatherer g = new Gatherer();
        g.services.addAll(services);
        g.services.addAll(other.services);
        g.nodes.addAll(nodes);
        g.nodes.addAll(other.nodes);
        g.progressed.addAll(progressed);
        g.progressed.addAll(other.progressed);
        g.nodeStates.addAll(nodeStates);
        g.nodeStates.addAll(other.nodeStates);
        return g.changes();
    }

    public boolean isEmpty() {
        return !all && services.isEmpty() && nodes.isEmpty() && progressed.isEmpty() && nodeStates.isEmpty();
    }

    static boolean statusOnly(Node before, Node after) {
        return before.getSpec().equals(after.getSpec()) && before.getDescription().equals(after.getDescription())
                && before.getRole() == after.getRole() && before.getAdvertiseAddr().equals(after.getAdvertiseAddr());
    }

    /** The task only moved forward on its node (e.g. ASSIGNED to RUNNING), short of finishing. */
    static boolean progressOnly(Task before, Task after) {
        return before.getNodeId().equals(after.getNodeId()) && !before.getNodeId().isEmpty()
                && before.getDesiredState() == after.getDesiredState()
                && before.getSpecVersion() == after.getSpecVersion()
                && before.getServiceId().equals(after.getServiceId())
                && after.getStatus().getState().getNumber() > before.getStatus().getState().getNumber()
                && after.getStatus().getState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE
                && before.getNetworksList().equals(after.getNetworksList());
    }

    /** Collects the services and nodes a burst of store events touched. */
    public static final class Gatherer {
        private boolean all;
        private final Set<String> services = new HashSet<>();
        private final Set<String> nodes = new HashSet<>();
        private final Set<String> progressed = new HashSet<>();
        private final Set<String> nodeStates = new HashSet<>();

        public void add(StoreEvent e) {
            if (e.type() == StoreEvent.Type.RESET) {
                all = true;
                return;
            }
            var obj = e.after() != null ? e.after() : e.before();
            if (obj == null) {
                return;
            }
            switch (StoreObjects.kind(obj)) {
                case TASK -> {
                    if (e.before() != null && e.after() != null && progressOnly(e.before().getTask(), e.after().getTask())) {
                        progressed.add(e.after().getTask().getServiceId());
                        return;
                    }
                    if (e.before() != null) {
                        services.add(e.before().getTask().getServiceId());
                    }
                    if (e.after() != null) {
                        services.add(e.after().getTask().getServiceId());
                    }
                }
                case SERVICE -> services.add(StoreObjects.id(obj));
                case NODE -> {
                    if (e.before() != null && e.after() != null && statusOnly(e.before().getNode(), e.after().getNode())) {
                        nodeStates.add(StoreObjects.id(obj));
                    } else {
                        nodes.add(StoreObjects.id(obj));
                    }
                }
                default -> all = true; // networks, the cluster object, secrets, configs: rare, look at everything
            }
        }

        public Changes changes() {
            if (all) {
                return ALL;
            }
            Set<String> onlyProgressed = new HashSet<>(progressed);
            onlyProgressed.removeAll(services);
            Set<String> onlyStates = new HashSet<>(nodeStates);
            onlyStates.removeAll(nodes);
            return new Changes(false, services, nodes, onlyProgressed, onlyStates);
        }
    }
}
