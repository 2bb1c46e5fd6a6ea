package io.shoal.manager.network;

import io.shoal.api.EndpointSpec;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.Node;
import io.shoal.api.ReleasedAddress;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.orchestrator.Changes;
import io.shoal.manager.orchestrator.Reconciler;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.net.ipam.Ipam;
import io.shoal.net.ipam.IpamException;
import io.shoal.net.ipam.IpamState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's address allocator (swarmkit's allocator): every task that is meant to run gets one
 * address per network of its spec before the scheduler may place it; every service in VIP mode
 * gets one virtual IP per network; a task that ended gives its addresses back exactly once (the
 * release is recorded on the task and the address rests on the network for the reuse delay, so a
 * stale peer entry somewhere cannot reach a new container). A network that is missing or full
 * leaves the task pending with the reason.
 */
public final class NetworkAllocator implements Reconciler {
    @Override
    public String name() {
        return "network-allocator";
    }

    /**
     * Skips the pass when nothing that changed can need or hold an address: building the address
     * state and looking at every task costs O(tasks), about a second per pass with 100,000 tasks.
     * A changed service with networks or published ports (in its spec or its endpoint), a task of
     * a changed service holding an address, or a changed node while the routing mesh is active
     * makes it a full pass; the periodic full pass forgets released addresses that rested.
     */
    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs, Changes changes) {
        if (changes.all() || relevant(tx, changes)) {
            return reconcile(tx, nowMs);
        }
        return List.of();
    }

    private static boolean relevant(ReadTx tx, Changes changes) {
        if (!changes.nodes().isEmpty() && Ingress.meshActive(tx)) {
            return true;
        }
        for (String id : changes.services()) {
            Service s = tx.service(id).orElse(null);
            if (s != null && (s.getSpec().getTask().getNetworksCount() > 0 || s.getSpec().getEndpoint().getPortsCount() > 0
                    || s.getEndpoint().getVirtualIpsCount() > 0 || s.getEndpoint().getPortsCount() > 0)) {
                return true;
            }
            for (Task t : tx.tasksOfService(id)) {
                if (t.getNetworksCount() > 0 || t.getSpec().getNetworksCount() > 0) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        List<Network> all = tx.networks();
        if (all.isEmpty()) {
            return List.of(); // nothing can hold an address
        }
        Map<String, Network> networks = new LinkedHashMap<>();
        all.forEach(n -> networks.put(n.getId(), n));
        Ipam ipam = Ipam.from(NetworkAllocations.state(tx));
        Map<String, List<ReleasedAddress>> released = new HashMap<>();
        List<StoreAction> out = new ArrayList<>();

        for (Task t : tx.tasks()) {
            boolean holds = t.getNetworksList().stream().anyMatch(a -> a.getReleasedMs() == 0);
            if (holds && (Tasks.terminal(t) || (!Tasks.wanted(t) && t.getNodeId().isEmpty()))) {
                Task.Builder b = t.toBuilder();
                for (int i = 0; i < b.getNetworksCount(); i++) {
                    NetworkAttachment a = b.getNetworks(i);
                    if (a.getReleasedMs() == 0) {
                        if (networks.containsKey(a.getNetworkId()) && ipam.releaseAddress(a.getNetworkId(), t.getId(), nowMs)) {
                            released.computeIfAbsent(a.getNetworkId(), k -> new ArrayList<>()).add(ReleasedAddress.newBuilder()
                                    .setAddress(NetworkAllocations.ip(a.getAddress())).setReleasedMs(nowMs).build());
                        }
                        b.setNetworks(i, a.toBuilder().setReleasedMs(nowMs));
                    }
                }
                out.add(Batches.update(StoreObjects.wrap(b.build())));
                continue;
            }
            if (!Tasks.wanted(t) || Tasks.terminal(t) || t.getSpec().getNetworksCount() == 0
                    || t.getNetworksCount() >= t.getSpec().getNetworksCount()) {
                continue;
            }
            Task.Builder b = t.toBuilder().clearNetworks();
            String problem = null;
            for (NetworkAttachmentConfig c : t.getSpec().getNetworksList()) {
                Network n = networks.get(c.getTarget());
                if (n == null) {
                    problem = "network " + c.getTarget() + " not found";
                    break;
                }
                try {
                    String ip = ipam.allocateAddress(n.getId(), t.getId(), nowMs);
                    b.addNetworks(NetworkAttachment.newBuilder().setNetworkId(n.getId())
                            .setAddress(ip + "/" + prefix(n)).addAllAliases(c.getAliasesList()));
                } catch (IpamException e) {
                    problem = e.getMessage();
                    break;
                }
            }
            if (problem == null) {
                out.add(Batches.update(StoreObjects.wrap(b.build())));
            } else {
                // leave it pending with the reason; addresses taken for earlier networks go back
                for (NetworkAttachment a : b.getNetworksList()) {
                    ipam.releaseAddress(a.getNetworkId(), t.getId(), nowMs);
                }
                if (!problem.equals(t.getStatus().getErr())) {
                    out.add(Batches.update(StoreObjects.wrap(t.toBuilder().setStatus(t.getStatus().toBuilder()
                            .setErr(problem).setTimestampMs(nowMs)).build())));
                }
            }
        }

        // every node's own address on the ingress network (the source of connections the routing
        // mesh hands over); one that points at a network that is gone is replaced
        // (only while some service publishes an ingress port: a cluster without one spends nothing)
        String ingressId = Ingress.find(tx).map(Network::getId).orElse(null);
        for (Node node : ingressId != null && Ingress.meshActive(tx) ? tx.nodes() : List.<Node>of()) {
            List<NetworkAttachment> have = node.getAttachmentsList();
            List<NetworkAttachment> next = new ArrayList<>(have.stream().filter(a -> networks.containsKey(a.getNetworkId())).toList());
            if (ingressId != null && next.stream().noneMatch(a -> a.getNetworkId().equals(ingressId))) {
                try {
                    String ip = ipam.allocateAddress(ingressId, NetworkAllocations.nodeOwner(node.getId()), nowMs);
                    next.add(NetworkAttachment.newBuilder().setNetworkId(ingressId).setAddress(ip + "/" + prefix(networks.get(ingressId))).build());
                } catch (IpamException e) {
                    // the ingress network is full: this node stays out of the mesh until addresses free up
                }
            }
            if (!next.equals(have)) {
                out.add(Batches.update(StoreObjects.wrap(node.toBuilder().clearAttachments().addAllAttachments(next).build())));
            }
        }

        for (Service s : tx.services()) {
            // no VIP on the ingress network: the routing mesh balances over the tasks' addresses
            List<String> wanted = s.getSpec().getTask().getNetworksList().stream().map(NetworkAttachmentConfig::getTarget)
                    .filter(networks::containsKey).filter(id -> !id.equals(ingressId)).distinct().toList();
            boolean vipMode = s.getSpec().getEndpoint().getMode() == EndpointSpec.ResolutionMode.VIP;
            List<NetworkAttachment> have = s.getEndpoint().getVirtualIpsList();
            List<NetworkAttachment> next = new ArrayList<>();
            for (NetworkAttachment a : have) {
                if (vipMode && wanted.contains(a.getNetworkId())) {
                    next.add(a);
                } else if (networks.containsKey(a.getNetworkId())) {
                    ipam.releaseAddress(a.getNetworkId(), NetworkAllocations.vipOwner(s.getId()), nowMs);
                }
            }
            if (vipMode) {
                for (String id : wanted) {
                    if (next.stream().noneMatch(a -> a.getNetworkId().equals(id))) {
                        try {
                            String ip = ipam.allocateAddress(id, NetworkAllocations.vipOwner(s.getId()), nowMs);
                            next.add(NetworkAttachment.newBuilder().setNetworkId(id).setAddress(ip + "/" + prefix(networks.get(id))).build());
                        } catch (IpamException e) {
                            // the network is full: the service has no VIP there until addresses free up
                        }
                    }
                }
            }
            if (!next.equals(have)) {
                out.add(Batches.update(StoreObjects.wrap(s.toBuilder().setEndpoint(s.getEndpoint().toBuilder()
                        .clearVirtualIps().addAllVirtualIps(next)).build())));
            }
        }

        // record releases; forget those that rested long enough or were handed out again
        IpamState after = ipam.state();
        for (Network n : networks.values()) {
            Set<String> leased = new HashSet<>();
            after.networks().stream().filter(x -> x.id().equals(n.getId()))
                    .forEach(x -> x.leases().forEach(l -> leased.add(l.address())));
            List<ReleasedAddress> keep = new ArrayList<>();
            for (ReleasedAddress r : n.getReleasedList()) {
                if (nowMs - r.getReleasedMs() < IpamState.DEFAULT_REUSE_DELAY_MILLIS && !leased.contains(r.getAddress())) {
                    keep.add(r);
                }
            }
            keep.addAll(released.getOrDefault(n.getId(), List.of()));
            if (!keep.equals(n.getReleasedList())) {
                out.add(Batches.update(StoreObjects.wrap(n.toBuilder().clearReleased().addAllReleased(keep).build())));
            }
        }
        return out;
    }

    static int prefix(Network n) {
        String subnet = n.getIpam(0).getSubnet();
        return Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1));
    }

    /** The task has an address on every network of its spec (or needs none): the scheduler may place it. */
    public static boolean allocated(Task t) {
        return t.getNetworksCount() >= t.getSpec().getNetworksCount();
    }
}
