package io.shoal.manager.dispatcher;

import io.shoal.api.Annotations;
import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
import io.shoal.api.Network;
import io.shoal.api.NetworkKey;
import io.shoal.api.NetworkSpec;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the assignments streams send of an encrypted network: its keys opened, and only by a manager that can. */
class NetworkKeysSharedTest {
    @Test
    void keysAreOpenedForTheStreamsAndDroppedWithoutACipher() {
        byte[] kek = KeyEncryption.newKey();
        SecretCipher cipher = new SecretCipher(kek);
        Cluster c = Cluster.newBuilder().setId("c1").setSpec(ClusterSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("default"))).setDataKey(SecretCipher.newDataKey(kek)).build();
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        Network n = Network.newBuilder().setId("net1").setVni(4300)
                .setSpec(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("secure")).setEncrypted(true))
                .addKeys(NetworkKey.newBuilder().setId(42).setPrimary(true).setKey(cipher.sealNetworkKey(c, "net1", 42, key))).build();
        ClusterStore store = new ClusterStore();
        store.apply(1, io.shoal.api.raft.StoreBatch.newBuilder().addActions(Batches.create(StoreObjects.wrap(c)))
                .addActions(Batches.create(StoreObjects.wrap(n))).build());

        Network sent = store.view(tx -> Assignments.Shared.of(tx, cipher)).networks.get("net1");
        assertEquals(1, sent.getKeysCount());
        assertArrayEquals(key, sent.getKeys(0).getKey().toByteArray());
        assertEquals(0, store.view(tx -> Assignments.Shared.of(tx)).networks.get("net1").getKeysCount());
        assertEquals(0, store.view(tx -> Assignments.Shared.of(tx, new SecretCipher(null))).networks.get("net1").getKeysCount());
    }
}
