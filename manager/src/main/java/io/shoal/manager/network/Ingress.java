package io.shoal.manager.network;

import io.shoal.api.Annotations;
import io.shoal.api.IPAMConfig;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.NetworkSpec;
import io.shoal.api.PortConfig;
import io.shoal.api.ServiceSpec;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.Ids;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.net.ipam.Cidr;
import io.shoal.net.ipam.Ipam;
import io.shoal.net.ipam.IpamException;
import io.shoal.net.ipam.Ipv4;
import io.shoal.net.ipam.NetworkAllocation;

import java.util.List;
import java.util.Optional;

/**
 * The ingress network, swarm mode's routing mesh: an overlay network that every node joins once
 * some service publishes a port in ingress mode. A service with such a port has its tasks attached
 * to it (the managers add it to the spec; users do not name it); every node gets its own address
 * on it, the source of the connections the mesh hands to a task on another node. It is made when
 * the cluster is (as {@code docker swarm init} does) and again if a service needs it after a user
 * removed it.
 */
public final class Ingress {
    public static final String NAME = "ingress";

    private Ingress() {}

    public static Optional<Network> find(ReadTx tx) {
        return tx.networks().stream().filter(n -> n.getSpec().getIngress()).findFirst();
    }

    /** The ingress network as a new object (subnet from the cluster's pools), or empty when one exists. */
    public static Optional<Network> make(ReadTx tx) {
        if (find(tx).isPresent()) {
            return Optional.empty();
        }
        String id = Ids.newId();
        NetworkAllocation a;
        var state = NetworkAllocations.state(tx);
        try {
            a = Ipam.from(state).allocateNetwork(id, large(state.pools()), null);
        } catch (IpamException | IllegalArgumentException e) {
            try {
                a = Ipam.from(state).allocateNetwork(id, null, null);
            } catch (IpamException e2) {
                throw new IllegalStateException("cannot make the ingress network: " + e2.getMessage(), e2);
            }
        }
        return Optional.of(Network.newBuilder().setId(id)
                .setSpec(NetworkSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName(NAME))
                        .setDriver("overlay").setIngress(true))
                .setVni(a.vni())
                .addIpam(IPAMConfig.newBuilder().setSubnet(a.subnet().toString()).setGateway(a.gatewayText()))
                .build());
    }

    /**
     * The subnet the ingress network asks for first: the last /16 of the first pool (10.255.0.0/16
     * for the default 10.0.0.0/8), since every node and every publishing task needs an address on
     * it and a /24 would stop at 253; a pool smaller than that gets an ordinary subnet.
     */
    static String large(List<String> pools) {
        Cidr pool = Cidr.parse(pools.getFirst());
        if (pool.prefix() > 16) {
            return null;
        }
        return Ipv4.format(pool.last() & 0xffff0000) + "/16";
    }

    /** The actions that make the ingress network (none when it exists). */
    public static List<StoreAction> create(ReadTx tx) {
        return make(tx).map(n -> List.of(Batches.create(StoreObjects.wrap(n)))).orElse(List.of());
    }

    private static boolean publishesIngress(ServiceSpec s) {
        return s.getEndpoint().getPortsList().stream().anyMatch(p -> p.getPublishMode() == PortConfig.PublishMode.INGRESS);
    }

    /** Some service publishes a port through the mesh: every node needs its ingress sandbox. */
    public static boolean meshActive(ReadTx tx) {
        return tx.services().stream().anyMatch(s -> publishesIngress(s.getSpec()));
    }

    /**
     * The spec with the ingress network attached exactly when it publishes a port (any mode: a
     * host-mode port is reached through the task's ingress address too), and never otherwise.
     */
    public static ServiceSpec attach(ServiceSpec spec, String ingressId) {
        ServiceSpec.Builder b = spec.toBuilder();
        var task = b.getTaskBuilder();
        List<NetworkAttachmentConfig> kept = task.getNetworksList().stream()
                .filter(c -> !c.getTarget().equals(ingressId)).toList();
        task.clearNetworks().addAllNetworks(kept);
        if (ingressId != null && spec.getEndpoint().getPortsCount() > 0) {
            task.addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(ingressId));
        }
        return b.build();
    }
}
