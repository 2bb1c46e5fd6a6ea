package io.shoal.manager.control;

import io.shoal.api.Cluster;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.IPAMConfig;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListNetworksResponse;
import io.shoal.api.Network;
import io.shoal.api.NetworkKey;
import io.shoal.api.NetworkSpec;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.api.RemoveNetworkResponse;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.Ids;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.network.NetworkAllocations;
import io.shoal.manager.network.NetworkKeys;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.net.ipam.Ipam;
import io.shoal.net.ipam.IpamException;
import io.shoal.net.ipam.NetworkAllocation;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Overlay networks through the Control API: create (a subnet and VNI allocated in the same write;
 * for an encrypted network its first key, sealed with the cluster's data key), inspect, list
 * (never the keys), remove.
 */
public final class NetworksApi {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterStore store;
    private final StoreWriter writer;
    private final LinearizableReads reads;
    private final SecretCipher cipher;

    public NetworksApi(ClusterStore store, StoreWriter writer, Consensus consensus, SecretCipher cipher) {
        this.store = store;
        this.writer = writer;
        this.reads = new LinearizableReads(store, consensus);
        this.cipher = cipher;
    }

    /** A network as the Control API shows it: without its keys, not even sealed. */
    static Network withoutKeys(Network n) {
        return n.getKeysCount() == 0 ? n : n.toBuilder().clearKeys().build();
    }

    private <T> T read(Function<ReadTx, T> fn) {
        return reads.read(fn);
    }

    public Network createNetwork(CreateNetworkRequest req) {
        NetworkSpec spec = req.getSpec();
        String name = spec.getAnnotations().getName();
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")) {
            throw Calls.invalid("name: '" + name + "' must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (spec.getDriver().isEmpty()) {
            spec = spec.toBuilder().setDriver("overlay").build();
        }
        if (!spec.getDriver().equals("overlay")) {
            throw Calls.invalid("driver: '" + spec.getDriver() + "' is not supported; use overlay");
        }
        if (spec.getIpamCount() > 1) {
            throw Calls.invalid("subnet: one subnet per network");
        }
        if (spec.getEncrypted() && spec.getIngress()) {
            throw Calls.invalid("encrypted: the ingress network cannot be encrypted");
        }
        String id = Ids.newId();
        NetworkSpec finalSpec = spec;
        writer.update(tx -> {
            if (tx.byName(ObjectKind.NETWORK, name).isPresent()) {
                throw Calls.conflict("network " + name + " already exists");
            }
            Ipam ipam = Ipam.from(NetworkAllocations.state(tx));
            NetworkAllocation a;
            try {
                String subnet = finalSpec.getIpamCount() == 0 || finalSpec.getIpam(0).getSubnet().isEmpty() ? null : finalSpec.getIpam(0).getSubnet();
                String gateway = finalSpec.getIpamCount() == 0 || finalSpec.getIpam(0).getGateway().isEmpty() ? null : finalSpec.getIpam(0).getGateway();
                a = ipam.allocateNetwork(id, subnet, gateway);
            } catch (IpamException | IllegalArgumentException e) {
                throw Calls.invalid(e.getMessage());
            }
            Network.Builder n = Network.newBuilder().setId(id).setSpec(finalSpec)
                    .setVni(a.vni()).addIpam(IPAMConfig.newBuilder().setSubnet(a.subnet().toString())
                            .setGateway(a.gatewayText()));
            List<StoreAction> actions = new ArrayList<>();
            if (finalSpec.getEncrypted()) {
                Cluster cluster = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
                Cluster keyed = cipher.withDataKey(cluster);
                if (keyed != cluster) {
                    actions.add(Batches.update(StoreObjects.wrap(keyed)));
                }
                n.addKeys(newKey(keyed, id, NetworkKeys.used(tx.networks())));
            }
            actions.add(Batches.create(StoreObjects.wrap(n.build())));
            return actions;
        });
        return withoutKeys(store.view(tx -> tx.get(ObjectKind.NETWORK, id)).orElseThrow().getNetwork());
    
    }

    public Network getNetwork(GetNetworkRequest req) {
        return withoutKeys(read(tx -> NetworkLookup.resolve(tx, req.getNetwork())));
    }

    public ListNetworksResponse listNetworks(ListNetworksRequest req) {
        return read(tx -> ListNetworksResponse.newBuilder()
                .addAllNetworks(tx.networks().stream().map(NetworksApi::withoutKeys).toList()).build());
    }

    public RemoveNetworkResponse removeNetwork(RemoveNetworkRequest req) {
        Network n = read(tx -> NetworkLookup.resolve(tx, req.getNetwork()));
        writer.update(tx -> {
            List<String> users = tx.services().stream()
                    .filter(s -> s.getSpec().getTask().getNetworksList().stream().anyMatch(c -> c.getTarget().equals(n.getId())))
                    .map(s -> s.getSpec().getAnnotations().getName()).toList();
            if (!users.isEmpty()) {
                throw Calls.precondition("network " + n.getSpec().getAnnotations().getName() + " is in use by service"
                        + (users.size() > 1 ? "s " : " ") + String.join(", ", users));
            }
            boolean held = tx.tasks().stream().anyMatch(t -> t.getNetworksList().stream()
                    .anyMatch(a -> a.getNetworkId().equals(n.getId()) && a.getReleasedMs() == 0));
            if (held) {
                throw Calls.precondition("network " + n.getSpec().getAnnotations().getName()
                        + " still has task endpoints; wait until the removed services' tasks are gone");
            }
            return tx.get(ObjectKind.NETWORK, n.getId())
                    .map(o -> List.of(Batches.remove(o))).orElse(List.of());
        });
        return RemoveNetworkResponse.newBuilder().setNetworkId(n.getId()).build();
    
    }

    private NetworkKey newKey(Cluster keyed, String networkId, Set<Integer> used) {
        return NetworkKeys.newKey(keyed, networkId, used, cipher, RANDOM, true, System.currentTimeMillis());
    }
}
