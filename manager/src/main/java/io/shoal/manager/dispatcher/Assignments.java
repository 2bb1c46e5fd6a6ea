package io.shoal.manager.dispatcher;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        return before != null && after != null
                && after.getStatus().getState().getNumber() > io.shoal.api.TaskState.TASK_STATE_ASSIGNED_VALUE
                && !before.getStatus().equals(after.getStatus())
                && before.toBuilder().clearStatus().clearMeta().build().equals(after.toBuilder().clearStatus().clearMeta().build());
    }

    /** The networks a node's tasks are on, and the endpoints of those networks on other nodes. */
    record Plane(List<io.shoal.api.Network> networks, List<io.shoal.api.NetworkPeer> peers, List<io.shoal.api.NameRecord> names,
                 List<io.shoal.api.IngressPort> ingressPorts, String ingressAddress, int vxlanPort) {
        static final Plane NONE = new Plane(List.of(), List.of(), List.of(), List.of(), "", 0);

        AssignmentsMessage.Builder into(AssignmentsMessage.Builder msg) {
            return msg.addAllNetworks(networks).addAllPeers(peers).addAllNames(names)
                    .addAllIngressPorts(ingressPorts).setIngressAddress(ingressAddress).setVxlanPort(vxlanPort);
        }
    }

    static boolean holds(Task t) {
        return !t.getNodeId().isEmpty() && t.getStatus().getState().getNumber() <= io.shoal.api.TaskState.TASK_STATE_RUNNING_VALUE
                && t.getNetworksList().stream().anyMatch(a -> a.getReleasedMs() == 0);
    }

    static Plane plane(io.shoal.manager.store.ReadTx tx, String nodeId, List<Task> local) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        for (Task t : local) {
            if (holds(t)) {
                t.getNetworksList().stream().filter(a -> a.getReleasedMs() == 0).forEach(a -> ids.add(a.getNetworkId()));
            }
        }
        // the routing mesh: once a service publishes an ingress port, every node with an ingress
        // address joins the ingress network, whether or not it runs a task of that service
        String ingressId = io.shoal.manager.network.Ingress.find(tx).map(io.shoal.api.Network::getId).orElse(null);
        String ingressAddress = "";
        List<io.shoal.api.IngressPort> ingressPorts = List.of();
        if (ingressId != null && io.shoal.manager.network.Ingress.meshActive(tx)) {
            ingressAddress = tx.node(nodeId).flatMap(n -> n.getAttachmentsList().stream()
                    .filter(a -> a.getNetworkId().equals(ingressId)).findFirst())
                    .map(io.shoal.api.NetworkAttachment::getAddress).orElse("");
            if (!ingressAddress.isEmpty()) {
                ids.add(ingressId);
                ingressPorts = ingressPorts(tx, ingressId);
            }
        }
        if (ids.isEmpty()) {
            return Plane.NONE;
        }
        List<io.shoal.api.Network> networks = new java.util.ArrayList<>();
        for (String id : ids) {
            tx.get(io.shoal.manager.store.ObjectKind.NETWORK, id).ifPresent(o -> networks.add(o.getNetwork().toBuilder().clearReleased().build()));
        }
        Map<String, String> hostIps = new java.util.HashMap<>();
        List<io.shoal.api.NetworkPeer> peers = new java.util.ArrayList<>();
        for (Task t : tx.tasks()) {
            if (t.getNodeId().equals(nodeId) || !holds(t)) {
                continue;
            }
            String host = hostIps.computeIfAbsent(t.getNodeId(), n -> tx.node(n).map(x -> x.getStatus().getAddr()).orElse(""));
            if (host.isEmpty()) {
                continue;
            }
            for (io.shoal.api.NetworkAttachment a : t.getNetworksList()) {
                if (a.getReleasedMs() == 0 && ids.contains(a.getNetworkId())) {
                    peers.add(io.shoal.api.NetworkPeer.newBuilder().setNetworkId(a.getNetworkId())
                            .setAddress(io.shoal.manager.network.NetworkAllocations.ip(a.getAddress())).setHostIp(host).build());
                }
            }
        }
        if (ids.contains(ingressId)) {
            // the other nodes' own ingress addresses: replies to connections they handed over
            for (io.shoal.api.Node n : tx.nodes()) {
                if (n.getId().equals(nodeId) || n.getStatus().getAddr().isEmpty()) {
                    continue;
                }
                n.getAttachmentsList().stream().filter(a -> a.getNetworkId().equals(ingressId)).findFirst().ifPresent(a ->
                        peers.add(io.shoal.api.NetworkPeer.newBuilder().setNetworkId(ingressId)
                                .setAddress(io.shoal.manager.network.NetworkAllocations.ip(a.getAddress()))
                                .setHostIp(n.getStatus().getAddr()).build()));
            }
        }
        peers.sort(java.util.Comparator.comparing(io.shoal.api.NetworkPeer::getNetworkId).thenComparing(io.shoal.api.NetworkPeer::getAddress));
        // names: running endpoints (any node) and VIPs of services on these networks
        List<io.shoal.api.NameRecord> names = new java.util.ArrayList<>();
        Map<String, io.shoal.api.Service> services = new java.util.HashMap<>();
        tx.services().forEach(s -> services.put(s.getId(), s));
        for (Task t : tx.tasks()) {
            io.shoal.api.Service s = services.get(t.getServiceId());
            if (s == null || t.getStatus().getState() != io.shoal.api.TaskState.TASK_STATE_RUNNING
                    || t.getDesiredState() != io.shoal.api.TaskState.TASK_STATE_RUNNING) {
                continue;
            }
            boolean dnsrr = s.getSpec().getEndpoint().getMode() == io.shoal.api.EndpointSpec.ResolutionMode.DNSRR;
            for (io.shoal.api.NetworkAttachment a : t.getNetworksList()) {
                if (a.getReleasedMs() == 0 && ids.contains(a.getNetworkId()) && !a.getNetworkId().equals(ingressId)) {
                    names.add(io.shoal.api.NameRecord.newBuilder().setNetworkId(a.getNetworkId())
                            .setServiceName(s.getSpec().getAnnotations().getName()).setTaskId(t.getId()).setSlot(t.getSlot())
                            .setDnsrr(dnsrr).setAddress(io.shoal.manager.network.NetworkAllocations.ip(a.getAddress())).build());
                }
            }
        }
        for (io.shoal.api.Service s : services.values()) {
            for (io.shoal.api.NetworkAttachment a : s.getEndpoint().getVirtualIpsList()) {
                if (ids.contains(a.getNetworkId())) {
                    names.add(io.shoal.api.NameRecord.newBuilder().setNetworkId(a.getNetworkId())
                            .setServiceName(s.getSpec().getAnnotations().getName()).setVip(true)
                            .setAddress(io.shoal.manager.network.NetworkAllocations.ip(a.getAddress())).build());
                }
            }
        }
        names.sort(java.util.Comparator.comparing(io.shoal.api.NameRecord::getNetworkId).thenComparing(io.shoal.api.NameRecord::getServiceName)
                .thenComparing(io.shoal.api.NameRecord::getAddress));
        int vxlanPort = tx.cluster().map(c -> c.getSpec().getVxlanPort()).orElse(0);
        return new Plane(networks, peers, names, ingressPorts, ingressAddress, vxlanPort);
    }

    /** Every ingress-published port with the ingress addresses of its service's running tasks. */
    static List<io.shoal.api.IngressPort> ingressPorts(io.shoal.manager.store.ReadTx tx, String ingressId) {
        List<io.shoal.api.IngressPort> out = new java.util.ArrayList<>();
        for (io.shoal.api.Service s : tx.services()) {
            List<io.shoal.api.PortConfig> ports = s.getEndpoint().getPortsList().stream()
                    .filter(p -> p.getPublishMode() == io.shoal.api.PortConfig.PublishMode.INGRESS).toList();
            if (ports.isEmpty()) {
                continue;
            }
            List<String> backends = new java.util.ArrayList<>();
            for (Task t : tx.tasksOfService(s.getId())) {
                if (t.getStatus().getState() == io.shoal.api.TaskState.TASK_STATE_RUNNING
                        && t.getDesiredState() == io.shoal.api.TaskState.TASK_STATE_RUNNING) {
                    t.getNetworksList().stream().filter(a -> a.getNetworkId().equals(ingressId) && a.getReleasedMs() == 0)
                            .forEach(a -> backends.add(io.shoal.manager.network.NetworkAllocations.ip(a.getAddress())));
                }
            }
            backends.sort(null);
            for (io.shoal.api.PortConfig p : ports) {
                out.add(io.shoal.api.IngressPort.newBuilder().setProtocol(p.getProtocol()).setPublishedPort(p.getPublishedPort())
                        .setTargetPort(p.getTargetPort()).setServiceId(s.getId()).addAllBackends(backends).build());
            }
        }
        out.sort(java.util.Comparator.comparing((io.shoal.api.IngressPort p) -> p.getProtocol().getNumber())
                .thenComparing(io.shoal.api.IngressPort::getPublishedPort));
        return out;
    }

    static Map<String, Task> byId(List<Task> tasks) {
        Map<String, Task> m = new LinkedHashMap<>();
        tasks.forEach(t -> m.put(t.getId(), t));
        return m;
    }
}
