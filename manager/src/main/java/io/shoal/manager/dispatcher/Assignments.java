package io.shoal.manager.dispatcher;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.EndpointSpec;
import io.shoal.api.IngressPort;
import io.shoal.api.NameRecord;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.NetworkPeer;
import io.shoal.api.Node;
import io.shoal.api.PortConfig;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import com.google.protobuf.ByteString;
import io.shoal.api.NetworkKey;
import io.shoal.manager.network.Ingress;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.network.NetworkAllocations;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreEvent;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an assignments stream sends: the node's whole task set first, then only what changed (new or
 * changed tasks, and the ids of removed ones), so a change to one task costs one task on the wire
 * however many the node runs. The sequence number (set by the stream) lets a worker notice a gap and
 * resync by opening a new stream.
 */
final class Assignments {
    private Assignments() {}

    /** The next message given the last task set sent (null before the first) and the current one; null when nothing changed. */
    static AssignmentsMessage.Builder next(Map<String, Task> last, List<Task> now) {
        if (last == null) {
            return AssignmentsMessage.newBuilder().setFull(true).addAllTasks(now);
        }
        AssignmentsMessage.Builder b = AssignmentsMessage.newBuilder();
        Map<String, Task> current = byId(now);
        for (Task t : now) {
            Task before = last.get(t.getId());
            if (!t.equals(before) && !reportedByWorker(before, t)) {
                b.addTasks(t);
            }
        }
        for (String id : last.keySet()) {
            if (!current.containsKey(id)) {
                b.addRemoved(id);
            }
        }
        return b.getTasksCount() == 0 && b.getRemovedCount() == 0 ? null : b;
    }

    /**
     * True when a task changed only by a state its worker reported (past ASSIGNED, which only workers
     * write): the worker knows it already, so, as in swarmkit, it is not sent back. Any other change
     * (desired state, spec, node, addresses) is sent with the task's current status.
     */
    static boolean reportedByWorker(Task before, Task after) {
        if (before == null || after == null
                || after.getStatus().getState().getNumber() <= TaskState.TASK_STATE_ASSIGNED_VALUE
                || before.getStatus().equals(after.getStatus())) {
            return false;
        }
        // what managers change (desired state, node, spec) first, without copying; then all the rest
        if (before.getDesiredState() != after.getDesiredState() || !before.getNodeId().equals(after.getNodeId())
                || before.getSpecVersion() != after.getSpecVersion() || !before.getId().equals(after.getId())) {
            return false;
        }
        return after.toBuilder().setStatus(before.getStatus()).setMeta(before.getMeta()).build().equals(before);
    }

    /** As {@link #reportedByWorker(Task, Task)}, for a store event; a status change applied from a report needs no comparison. */
    static boolean reportedByWorker(StoreEvent e) {
        if (e.before() == null || e.after() == null) {
            return false;
        }
        if (e.statusOnly()) {
            return e.after().getTask().getStatus().getState().getNumber() > TaskState.TASK_STATE_ASSIGNED_VALUE;
        }
        return reportedByWorker(e.before().getTask(), e.after().getTask());
    }

    /** The networks a node's tasks are on, and the endpoints of those networks on other nodes. */
    record Plane(List<Network> networks, List<NetworkPeer> peers, List<NameRecord> names,
                 List<IngressPort> ingressPorts, String ingressAddress, int vxlanPort) {
        static final Plane NONE = new Plane(List.of(), List.of(), List.of(), List.of(), "", 0);

        AssignmentsMessage.Builder into(AssignmentsMessage.Builder msg) {
            return msg.addAllNetworks(networks).addAllPeers(peers).addAllNames(names)
                    .addAllIngressPorts(ingressPorts).setIngressAddress(ingressAddress).setVxlanPort(vxlanPort);
        }
    }

    static boolean holds(Task t) {
        return !t.getNodeId().isEmpty() && t.getStatus().getState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE
                && t.getNetworksList().stream().anyMatch(a -> a.getReleasedMs() == 0);
    }

    static Plane plane(ReadTx tx, String nodeId, List<Task> local) {
        return plane(tx, nodeId, local, Shared.of(tx));
    }

    /**
     * What every node's plane is cut from, at one store index: the networks, and (computed once,
     * when the first node that needs them asks) every network's remote endpoints and names. The
     * streams of all nodes wake together after a change, so the dispatcher shares one per index:
     * a change costs one pass over the tasks, not one per node.
     */
    static final class Shared {
        final long index;
        final String ingressId;
        final boolean meshActive;
        final Map<String, Network> networks;
        final int vxlanPort;
        private Detail detail;

        /** Endpoints by network (sorted by address), with the node each is on; names by network (sorted); the ingress ports. */
        record Detail(Map<String, List<Map.Entry<String, NetworkPeer>>> peers,
                      Map<String, List<NameRecord>> names, List<IngressPort> ingressPorts) {}

        private Shared(long index, String ingressId, boolean meshActive, Map<String, Network> networks, int vxlanPort) {
            this.index = index;
            this.ingressId = ingressId;
            this.meshActive = meshActive;
            this.networks = networks;
            this.vxlanPort = vxlanPort;
        }

        static Shared of(ReadTx tx) {
            return of(tx, null);
        }

        /**
         * With {@code cipher}, the keys of encrypted networks opened (they go out only with the
         * network, to nodes with a task on it, on the mutual-TLS stream); without one, or on a
         * manager that cannot open them, none.
         */
        static Shared of(ReadTx tx, SecretCipher cipher) {
            Map<String, Network> networks = new HashMap<>();
            String ingressId = null;
            var cluster = tx.cluster().orElse(null);
            for (Network n : tx.networks()) {
                Network.Builder b = n.toBuilder().clearReleased().clearKeys();
                if (cipher != null && cipher.canOpen() && cluster != null) {
                    for (NetworkKey k : n.getKeysList()) {
                        b.addKeys(k.toBuilder().setKey(ByteString.copyFrom(
                                cipher.openNetworkKey(cluster, n.getId(), k.getId(), k.getKey()))));
                    }
                }
                networks.put(n.getId(), b.build());
                if (n.getSpec().getIngress() && ingressId == null) {
                    ingressId = n.getId();
                }
            }
            boolean mesh = ingressId != null && Ingress.meshActive(tx);
            int vxlanPort = tx.cluster().map(c -> c.getSpec().getVxlanPort()).orElse(0);
            return new Shared(tx.index(), ingressId, mesh, networks, vxlanPort);
        }

        /** The endpoints and names; {@code tx} must be at this index. */
        synchronized Detail detail(ReadTx tx) {
            if (detail == null) {
                detail = computeDetail(tx);
            }
            return detail;
        }

        private Detail computeDetail(ReadTx tx) {
            Map<String, List<Map.Entry<String, NetworkPeer>>> peers = new HashMap<>();
            Map<String, String> hostIps = new HashMap<>();
            for (Task t : tx.tasks()) {
                if (!holds(t)) {
                    continue;
                }
                String host = hostIps.computeIfAbsent(t.getNodeId(), n -> tx.node(n).map(x -> x.getStatus().getAddr()).orElse(""));
                if (host.isEmpty()) {
                    continue;
                }
                for (NetworkAttachment a : t.getNetworksList()) {
                    if (a.getReleasedMs() == 0) {
                        peers.computeIfAbsent(a.getNetworkId(), k -> new ArrayList<>()).add(Map.entry(t.getNodeId(),
                                NetworkPeer.newBuilder().setNetworkId(a.getNetworkId())
                                        .setAddress(NetworkAllocations.ip(a.getAddress())).setHostIp(host).build()));
                    }
                }
            }
            if (ingressId != null) {
                // every node's own ingress address: replies to connections it handed over
                for (Node n : tx.nodes()) {
                    if (n.getStatus().getAddr().isEmpty()) {
                        continue;
                    }
                    n.getAttachmentsList().stream().filter(a -> a.getNetworkId().equals(ingressId)).findFirst().ifPresent(a ->
                            peers.computeIfAbsent(ingressId, k -> new ArrayList<>()).add(Map.entry(n.getId(),
                                    NetworkPeer.newBuilder().setNetworkId(ingressId)
                                            .setAddress(NetworkAllocations.ip(a.getAddress()))
                                            .setHostIp(n.getStatus().getAddr()).build())));
                }
            }
            peers.values().forEach(l -> l.sort(Comparator.comparing(e -> e.getValue().getAddress())));
            // names: running endpoints (any node) and VIPs of services, by network
            Map<String, List<NameRecord>> names = new HashMap<>();
            Map<String, Service> services = new HashMap<>();
            tx.services().forEach(s -> services.put(s.getId(), s));
            for (Task t : tx.tasks()) {
                Service s = services.get(t.getServiceId());
                if (s == null || t.getStatus().getState() != TaskState.TASK_STATE_RUNNING
                        || t.getDesiredState() != TaskState.TASK_STATE_RUNNING) {
                    continue;
                }
                boolean dnsrr = s.getSpec().getEndpoint().getMode() == EndpointSpec.ResolutionMode.DNSRR;
                for (NetworkAttachment a : t.getNetworksList()) {
                    if (a.getReleasedMs() == 0 && !a.getNetworkId().equals(ingressId)) {
                        names.computeIfAbsent(a.getNetworkId(), k -> new ArrayList<>()).add(NameRecord.newBuilder()
                                .setNetworkId(a.getNetworkId()).setServiceName(s.getSpec().getAnnotations().getName()).setTaskId(t.getId())
                                .setSlot(t.getSlot()).setDnsrr(dnsrr).setAddress(NetworkAllocations.ip(a.getAddress()))
                                .addAllAliases(a.getAliasesList()).build());
                    }
                }
            }
            for (Service s : services.values()) {
                for (NetworkAttachment a : s.getEndpoint().getVirtualIpsList()) {
                    names.computeIfAbsent(a.getNetworkId(), k -> new ArrayList<>()).add(NameRecord.newBuilder()
                            .setNetworkId(a.getNetworkId()).setServiceName(s.getSpec().getAnnotations().getName()).setVip(true)
                            .setAddress(NetworkAllocations.ip(a.getAddress())).addAllAliases(aliases(s, a.getNetworkId())).build());
                }
            }
            names.values().forEach(l -> l.sort(Comparator.comparing(NameRecord::getServiceName)
                    .thenComparing(NameRecord::getAddress)));
            List<IngressPort> ports = ingressId != null && meshActive ? ingressPorts(tx, ingressId) : List.of();
            return new Detail(peers, names, ports);
        }
    }

    /** The aliases a service's spec gives it on a network (its short name, for a stack's service). */
    private static List<String> aliases(Service s, String networkId) {
        return s.getSpec().getTask().getNetworksList().stream().filter(c -> c.getTarget().equals(networkId))
                .flatMap(c -> c.getAliasesList().stream()).toList();
    }

    /** A node's plane cut from {@code shared}, which must be at {@code tx}'s index. */
    static Plane plane(ReadTx tx, String nodeId, List<Task> local, Shared shared) {
        Set<String> ids = new TreeSet<>();
        for (Task t : local) {
            if (holds(t)) {
                t.getNetworksList().stream().filter(a -> a.getReleasedMs() == 0).forEach(a -> ids.add(a.getNetworkId()));
            }
        }
        // the routing mesh: once a service publishes an ingress port, every node with an ingress
        // address joins the ingress network, whether or not it runs a task of that service
        String ingressId = shared.ingressId;
        String ingressAddress = "";
        if (shared.meshActive) {
            ingressAddress = tx.node(nodeId).flatMap(n -> n.getAttachmentsList().stream()
                    .filter(a -> a.getNetworkId().equals(ingressId)).findFirst())
                    .map(NetworkAttachment::getAddress).orElse("");
            if (!ingressAddress.isEmpty()) {
                ids.add(ingressId);
            }
        }
        if (ids.isEmpty()) {
            return Plane.NONE;
        }
        Shared.Detail d = shared.detail(tx);
        List<Network> networks = new ArrayList<>();
        List<NetworkPeer> peers = new ArrayList<>();
        List<NameRecord> names = new ArrayList<>();
        for (String id : ids) { // network ids in order, each network's entries in order: the whole is sorted
            Network n = shared.networks.get(id);
            if (n != null) {
                networks.add(n);
            }
            for (Map.Entry<String, NetworkPeer> e : d.peers().getOrDefault(id, List.of())) {
                if (!e.getKey().equals(nodeId)) {
                    peers.add(e.getValue());
                }
            }
            names.addAll(d.names().getOrDefault(id, List.of()));
        }
        List<IngressPort> ingressPorts = ingressAddress.isEmpty() ? List.of() : d.ingressPorts();
        return new Plane(networks, peers, names, ingressPorts, ingressAddress, shared.vxlanPort);
    }

    /** Every ingress-published port with the ingress addresses of its service's running tasks. */
    static List<IngressPort> ingressPorts(ReadTx tx, String ingressId) {
        List<IngressPort> out = new ArrayList<>();
        for (Service s : tx.services()) {
            List<PortConfig> ports = s.getEndpoint().getPortsList().stream()
                    .filter(p -> p.getPublishMode() == PortConfig.PublishMode.INGRESS).toList();
            if (ports.isEmpty()) {
                continue;
            }
            List<String> backends = new ArrayList<>();
            for (Task t : tx.tasksOfService(s.getId())) {
                if (t.getStatus().getState() == TaskState.TASK_STATE_RUNNING
                        && t.getDesiredState() == TaskState.TASK_STATE_RUNNING) {
                    t.getNetworksList().stream().filter(a -> a.getNetworkId().equals(ingressId) && a.getReleasedMs() == 0)
                            .forEach(a -> backends.add(NetworkAllocations.ip(a.getAddress())));
                }
            }
            backends.sort(null);
            for (PortConfig p : ports) {
                out.add(IngressPort.newBuilder().setProtocol(p.getProtocol()).setPublishedPort(p.getPublishedPort())
                        .setTargetPort(p.getTargetPort()).setServiceId(s.getId()).addAllBackends(backends).build());
            }
        }
        out.sort(Comparator.comparing((IngressPort p) -> p.getProtocol().getNumber())
                .thenComparing(IngressPort::getPublishedPort));
        return out;
    }

    static Map<String, Task> byId(List<Task> tasks) {
        Map<String, Task> m = new LinkedHashMap<>();
        tasks.forEach(t -> m.put(t.getId(), t));
        return m;
    }
}
