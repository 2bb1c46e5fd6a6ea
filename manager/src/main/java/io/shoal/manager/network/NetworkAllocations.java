package io.shoal.manager.network;

import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.Node;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.manager.store.ReadTx;
import io.shoal.net.ipam.IpamState;
import io.shoal.net.ipam.Ipv4;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The IPAM state as the replicated store holds it, spread over the objects it belongs to: each
 * network keeps its subnet, gateway, VNI and recently released addresses; each task and each
 * service VIP keeps its own address ({@link NetworkAttachment}). Building the {@link IpamState}
 * from them is deterministic, so any manager that becomes leader allocates exactly as the last one
 * would have: nothing is rebuilt from guesses.
 */
public final class NetworkAllocations {
    /** The owner of a service's virtual IP in the IPAM leases. */
    public static String vipOwner(String serviceId) {
        return "vip:" + serviceId;
    }

    /** The owner of a node's own address (on the ingress network) in the IPAM leases. */
    public static String nodeOwner(String nodeId) {
        return "node:" + nodeId;
    }

    private NetworkAllocations() {}

    public static IpamState state(ReadTx tx) {
        List<String> pools = new ArrayList<>();
        int subnetSize = IpamState.DEFAULT_SUBNET_SIZE;
        var cluster = tx.cluster();
        if (cluster.isPresent()) {
            pools.addAll(cluster.get().getSpec().getDefaultAddressPoolList());
            if (cluster.get().getSpec().getSubnetSize() > 0) {
                subnetSize = cluster.get().getSpec().getSubnetSize();
            }
        }
        if (pools.isEmpty()) {
            pools.addAll(IpamState.DEFAULT_POOLS);
        }
        List<IpamState.NetworkState> networks = new ArrayList<>();
        List<Task> tasks = tx.tasks();
        List<Service> services = tx.services();
        for (Network n : tx.networks()) {
            if (n.getIpamCount() == 0) {
                continue; // not allocated (cannot happen for networks made through the API)
            }
            List<IpamState.Lease> leases = new ArrayList<>();
            for (Task t : tasks) {
                for (NetworkAttachment a : t.getNetworksList()) {
                    if (a.getNetworkId().equals(n.getId()) && a.getReleasedMs() == 0) {
                        leases.add(new IpamState.Lease(ip(a.getAddress()), t.getId()));
                    }
                }
            }
            for (Service s : services) {
                for (NetworkAttachment a : s.getEndpoint().getVirtualIpsList()) {
                    if (a.getNetworkId().equals(n.getId())) {
                        leases.add(new IpamState.Lease(ip(a.getAddress()), vipOwner(s.getId())));
                    }
                }
            }
            for (Node node : tx.nodes()) {
                for (NetworkAttachment a : node.getAttachmentsList()) {
                    if (a.getNetworkId().equals(n.getId())) {
                        leases.add(new IpamState.Lease(ip(a.getAddress()), nodeOwner(node.getId())));
                    }
                }
            }
            leases.sort(Comparator.comparing(l -> Ipv4.parse(l.address()) & 0xffffffffL));
            Set<String> leased = new HashSet<>();
            leases.forEach(l -> leased.add(l.address()));
            // a resting address that was handed out again (none other was free) is a lease, not resting
            List<IpamState.Released> released = n.getReleasedList().stream()
                    .filter(r -> !leased.contains(r.getAddress()))
                    .map(r -> new IpamState.Released(r.getAddress(), r.getReleasedMs()))
                    .sorted(Comparator.comparing(r -> Ipv4.parse(r.address()) & 0xffffffffL))
                    .toList();
            networks.add(new IpamState.NetworkState(n.getId(), n.getIpam(0).getSubnet(), n.getIpam(0).getGateway(),
                    (int) n.getVni(), leases, released));
        }
        return new IpamState(pools, subnetSize, IpamState.DEFAULT_REUSE_DELAY_MILLIS, networks);
    }

    /** "10.0.1.5/24" -> "10.0.1.5". */
    public static String ip(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
