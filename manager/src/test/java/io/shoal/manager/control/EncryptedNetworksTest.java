package io.shoal.manager.control;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.Network;
import io.shoal.api.NetworkKey;
import io.shoal.api.NetworkSpec;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encrypted networks: a key made with the network, sealed in the store, absent from every reply. */
class EncryptedNetworksTest {
    private final ClusterStore store = new ClusterStore();
    private final LocalConsensus consensus = new LocalConsensus(store);
    private final StoreWriter writer = new StoreWriter(store, consensus);
    private final byte[] kek = KeyEncryption.newKey();
    private final SecretCipher cipher = new SecretCipher(kek);
    private final NetworksApi networks = new NetworksApi(store, writer, consensus, cipher);

    EncryptedNetworksTest() {
        // a cluster made before secrets: the first encrypted network gives it its data key
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Cluster.newBuilder().setId("c1")
                .setSpec(ClusterSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("default"))).build()))));
    }

    private Network create(String name, boolean encrypted) {
        return networks.createNetwork(CreateNetworkRequest.newBuilder().setSpec(NetworkSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName(name)).setEncrypted(encrypted)).build());
    }

    private Network stored(String id) {
        return store.view(tx -> tx.get(ObjectKind.NETWORK, id)).orElseThrow().getNetwork();
    }

    @Test
    void anEncryptedNetworkGetsOneSealedPrimaryKey() {
        Network n = create("secure", true);
        Network s = stored(n.getId());
        assertEquals(1, s.getKeysCount());
        NetworkKey k = s.getKeys(0);
        assertTrue(k.getPrimary());
        assertNotEquals(0, k.getId());
        Cluster c = store.view(tx -> tx.cluster()).orElseThrow();
        assertFalse(c.getDataKey().isEmpty(), "the cluster got its data key in the same write");
        byte[] plain = cipher.openNetworkKey(c, n.getId(), k.getId(), k.getKey());
        assertEquals(32, plain.length);
        assertFalse(k.getKey().toString(java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains(new String(plain, java.nio.charset.StandardCharsets.ISO_8859_1)), "the store holds it sealed");
        // bound to its network: the sealed key copied to another network does not open
        assertThrows(RuntimeException.class, () -> cipher.openNetworkKey(c, "other", k.getId(), k.getKey()));
    }

    @Test
    void noReplyCarriesAKey() {
        Network n = create("secure", true);
        assertEquals(0, n.getKeysCount(), "create");
        assertTrue(n.getSpec().getEncrypted());
        assertEquals(0, networks.getNetwork(GetNetworkRequest.newBuilder().setNetwork("secure").build()).getKeysCount(), "inspect");
        assertTrue(networks.listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList().stream()
                .allMatch(x -> x.getKeysCount() == 0), "ls");
    }

    @Test
    void aPlainNetworkHasNoKeyAndTheIngressCannotBeEncrypted() {
        assertEquals(0, stored(create("plain", false).getId()).getKeysCount());
        var e = assertThrows(StatusRuntimeException.class, () -> networks.createNetwork(CreateNetworkRequest.newBuilder()
                .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("in"))
                        .setIngress(true).setEncrypted(true)).build()));
        assertTrue(e.getStatus().getDescription().contains("ingress network cannot be encrypted"), e.getMessage());
        assertTrue(store.view(tx -> tx.byName(ObjectKind.NETWORK, "in")).isEmpty(), "nothing written");
    }

    @Test
    void keyIdsAreUniqueAcrossNetworks() {
        Network a = create("a", true);
        Network b = create("b", true);
        assertNotEquals(stored(a.getId()).getKeys(0).getId(), stored(b.getId()).getKeys(0).getId());
        assertFalse(stored(a.getId()).getKeys(0).getKey().equals(ByteString.EMPTY));
    }
}
