package io.shoal.manager.dispatcher;

import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.Service;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which streams one store change concerns, as a pure function of the change: the nodes a task left
 * or joined; a node's own session; every session when the set of managers or the heartbeat settings
 * may have changed; every node's assignments when the change is in the data plane they all share
 * (a networked task's endpoint, a service's VIPs or published ports, a node's ingress address). So
 * the work per change does not grow with the number of workers.
 */
final class ChangeRouter {
    private ChangeRouter() {}

    /**
     * What to do about one change.
     *
     * @param sessionsOf      the nodes whose session streams to wake
     * @param allSessions     wake every session stream
     * @param tasksOf         the nodes whose assignment streams to wake
     * @param allTasks        wake every assignment stream
     * @param settings        the heartbeat settings may have changed (the cluster object, the fleet's size)
     * @param managers        the set of managers may have changed
     * @param turnedReady     the nodes that just turned Ready
     */
    record Wake(Set<String> sessionsOf, boolean allSessions, Set<String> tasksOf, boolean allTasks,
                boolean settings, boolean managers, Set<String> turnedReady) {
        static final Wake NONE = new Wake(Set.of(), false, Set.of(), false, false, false, Set.of());
        /** The whole state was replaced: re-read everything, wake every stream. */
        static final Wake EVERYTHING = new Wake(Set.of(), true, Set.of(), true, true, true, Set.of());
    }

    /** What to do about a burst of changes: every stream any of them concerns, each once. */
    static Wake route(List<StoreEvent> burst) {
        if (burst.size() == 1) {
            return route(burst.getFirst());
        }
        Set<String> sessionsOf = new HashSet<>();
        Set<String> tasksOf = new HashSet<>();
        Set<String> turnedReady = new HashSet<>();
        boolean allSessions = false;
        boolean allTasks = false;
        boolean settings = false;
        boolean managers = false;
        for (StoreEvent e : burst) {
            Wake w = route(e);
            allSessions |= w.allSessions();
            allTasks |= w.allTasks();
            settings |= w.settings();
            managers |= w.managers();
            if (!allSessions) {
                sessionsOf.addAll(w.sessionsOf());
            }
            if (!allTasks) {
                tasksOf.addAll(w.tasksOf());
            }
            turnedReady.addAll(w.turnedReady());
        }
        return new Wake(allSessions ? Set.of() : sessionsOf, allSessions, allTasks ? Set.of() : tasksOf, allTasks,
                settings, managers, turnedReady);
    }

    static Wake route(StoreEvent e) {
        if (e.type() == StoreEvent.Type.RESET) {
            return Wake.EVERYTHING;
        }
        StoreObject obj = e.after() != null ? e.after() : e.before();
        if (obj == null) {
            return Wake.NONE;
        }
        return switch (StoreObjects.kind(obj)) {
            case TASK -> task(e);
            case NODE -> node(e.before() == null ? null : e.before().getNode(), e.after() == null ? null : e.after().getNode());
            case SERVICE -> service(e.before() == null ? null : e.before().getService(),
                    e.after() == null ? null : e.after().getService());
            // a root rotation starting or ending: every node learns its roots from its session
            case CLUSTER -> new Wake(Set.of(), rootsChanged(e), Set.of(), false, true, false, Set.of());
            // an encrypted network's keys rotated: every node on it gets them with its next message
            case NETWORK -> keysChanged(e) ? new Wake(Set.of(), false, Set.of(), true, false, false, Set.of()) : Wake.NONE;
            default -> Wake.NONE;
        };
    }

    private static boolean keysChanged(StoreEvent e) {
        return e.before() != null && e.after() != null
                && !e.before().getNetwork().getKeysList().equals(e.after().getNetwork().getKeysList());
    }

    private static boolean rootsChanged(StoreEvent e) {
        if (e.before() == null || e.after() == null) {
            return true;
        }
        var before = e.before().getCluster().getRootCa();
        var after = e.after().getCluster().getRootCa();
        return !before.getCaDigest().equals(after.getCaDigest())
                || !before.getRotation().getCaDigest().equals(after.getRotation().getCaDigest());
    }

    private static Wake task(StoreEvent e) {
        boolean networked = (e.before() != null && e.before().getTask().getNetworksCount() > 0)
                || (e.after() != null && e.after().getTask().getNetworksCount() > 0);
        if (networked) { // its endpoint is a peer of the other nodes on its networks
            return new Wake(Set.of(), false, Set.of(), true, false, false, Set.of());
        }
        if (Assignments.reportedByWorker(e)) {
            return Wake.NONE; // nothing to send: the worker reported it
        }
        Set<String> nodes = new HashSet<>(2);
        if (e.before() != null) {
            nodes.add(e.before().getTask().getNodeId());
        }
        if (e.after() != null) {
            nodes.add(e.after().getTask().getNodeId());
        }
        return new Wake(Set.of(), false, nodes, false, false, false, Set.of());
    }

    private static Wake node(Node before, Node after) {
        Node n = after != null ? after : before;
        String turnedReady = after != null && after.getStatus().getState() == NodeStatus.State.READY
                && (before == null || before.getStatus().getState() != NodeStatus.State.READY) ? after.getId() : null;
        boolean joinedOrLeft = before == null || after == null; // the fleet's size sets the period
        boolean managers = (before != null && before.getRole() == NodeRole.NODE_ROLE_MANAGER)
                || (after != null && after.getRole() == NodeRole.NODE_ROLE_MANAGER);
        boolean managerSetChanged = managers && (joinedOrLeft
                || before.getRole() != after.getRole() || !before.getAdvertiseAddr().equals(after.getAdvertiseAddr()));
        // a node's ingress address is a peer of every node in the routing mesh
        boolean ingress = joinedOrLeft ? n.getAttachmentsCount() > 0
                : !before.getAttachmentsList().equals(after.getAttachmentsList())
                        || (after.getAttachmentsCount() > 0 && !before.getStatus().getAddr().equals(after.getStatus().getAddr()));
        return new Wake(managerSetChanged ? Set.of() : Set.of(n.getId()), managerSetChanged, Set.of(), ingress,
                joinedOrLeft, managerSetChanged, turnedReady == null ? Set.of() : Set.of(turnedReady));
    }

    private static Wake service(Service before, Service after) {
        // VIPs and service names are in the networked nodes' name records, published ports in every node's routing mesh
        boolean networked = (before != null && (before.getEndpoint().getVirtualIpsCount() > 0 || before.getEndpoint().getPortsCount() > 0))
                || (after != null && (after.getEndpoint().getVirtualIpsCount() > 0 || after.getEndpoint().getPortsCount() > 0));
        return networked ? new Wake(Set.of(), false, Set.of(), true, false, false, Set.of()) : Wake.NONE;
    }
}
