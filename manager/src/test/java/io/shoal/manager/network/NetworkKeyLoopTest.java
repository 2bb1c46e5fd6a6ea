package io.shoal.manager.network;

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
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The leader's key rotation over an in-memory store on a fake clock: a new network's key gets a
 * receive-only successor at once, which becomes primary one period later while the old key only
 * opens, and is dropped a period after that; every key sealed in the store; a second loop (a new
 * leader) on the same store goes on where the first stopped; a plain network is never touched.
 */
class NetworkKeyLoopTest {
    private static final long PERIOD = 10_000;
    private final ClusterStore store = new ClusterStore();
    private final AtomicLong clock = new AtomicLong(1_000);
    private final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, clock::get));
    private final SecretCipher cipher = new SecretCipher(KeyEncryption.newKey());

    NetworkKeyLoopTest() {
        Cluster c = cipher.withDataKey(Cluster.newBuilder().setId("c1")
                .setSpec(ClusterSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("default"))
                        .setNetworkKeyRotationMs(PERIOD)).build());
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(c))));
        Cluster keyed = store.view(tx -> tx.cluster()).orElseThrow();
        NetworkKey first = NetworkKeys.newKey(keyed, "enc1", Set.of(), cipher, new SecureRandom(), true, clock.get());
        writer.update(tx -> List.of(
                Batches.create(StoreObjects.wrap(Network.newBuilder().setId("enc1").setSpec(NetworkSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("secure")).setEncrypted(true)).addKeys(first).build())),
                Batches.create(StoreObjects.wrap(Network.newBuilder().setId("plain1").setSpec(NetworkSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("plain"))).build()))));
    }

    private void pass(NetworkKeyLoop loop) {
        writer.update(tx -> loop.reconcile(tx, clock.get()));
    }

    private List<NetworkKey> keys() {
        return store.view(tx -> tx.get(ObjectKind.NETWORK, "enc1")).orElseThrow().getNetwork().getKeysList();
    }

    private int primary() {
        return keys().stream().filter(NetworkKey::getPrimary).mapToInt(NetworkKey::getId).findFirst().orElseThrow();
    }

    private Set<Integer> ids() {
        Set<Integer> out = new HashSet<>();
        keys().forEach(k -> out.add(k.getId()));
        return out;
    }

    @Test
    void stagesPromotesThenDropsOnePeriodApart() {
        NetworkKeyLoop loop = new NetworkKeyLoop(cipher);
        int k1 = primary();
        pass(loop);
        assertEquals(2, keys().size(), "a receive-only successor at once");
        assertEquals(k1, primary(), "senders keep the first key");
        int k2 = keys().stream().filter(k -> !k.getPrimary()).findFirst().orElseThrow().getId();

        clock.addAndGet(PERIOD - 1);
        pass(loop);
        assertEquals(Set.of(k1, k2), ids(), "nothing before the period is over");

        clock.addAndGet(1);
        pass(loop);
        assertEquals(k2, primary(), "the successor is primary one period after every node got it");
        assertEquals(3, keys().size());
        assertTrue(ids().contains(k1), "the old key still opens for a period");
        Set<Integer> three = ids();

        // the leader changes: a new loop on the same store goes on from the stored times
        NetworkKeyLoop next = new NetworkKeyLoop(cipher);
        clock.addAndGet(PERIOD / 2);
        pass(next);
        assertEquals(three, ids(), "no rotation before its time, whoever leads");
        clock.addAndGet(PERIOD / 2);
        pass(next);
        assertFalse(ids().contains(k1), "the first key is dropped two periods after the second was made");
        assertFalse(ids().contains(k2) && primary() == k2, "the third key took over");
        assertTrue(ids().contains(k2), "the second key opens for one more period");
        assertEquals(3, keys().size());

        Cluster c = store.view(tx -> tx.cluster()).orElseThrow();
        for (NetworkKey k : keys()) {
            byte[] plain = cipher.openNetworkKey(c, "enc1", k.getId(), k.getKey());
            assertEquals(32, plain.length);
            assertNotEquals(32, k.getKey().size(), "stored sealed, not as the 32 plain bytes");
            byte[] stored = k.getKey().toByteArray();
            assertFalse(Arrays.equals(plain, Arrays.copyOfRange(stored, 0, 32)), "sealed, not prefixed plaintext");
        }
        assertEquals(0, store.view(tx -> tx.get(ObjectKind.NETWORK, "plain1")).orElseThrow().getNetwork().getKeysCount(),
                "a plain network gets no key");
    }

    @Test
    void theClustersPeriodGovernsAndAShorterOneTakesEffectAtOnce() {
        NetworkKeyLoop loop = new NetworkKeyLoop(cipher);
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.cluster().orElseThrow().toBuilder()
                .setSpec(tx.cluster().orElseThrow().getSpec().toBuilder().setNetworkKeyRotationMs(0)).build()))));
        pass(loop);
        int k1 = primary();
        clock.addAndGet(PERIOD * 100);
        pass(loop);
        assertEquals(k1, primary(), "the default is 12 hours");
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.cluster().orElseThrow().toBuilder()
                .setSpec(tx.cluster().orElseThrow().getSpec().toBuilder().setNetworkKeyRotationMs(PERIOD)).build()))));
        pass(loop);
        assertNotEquals(k1, primary(), "the successor waited longer than the new period already");
    }

    @Test
    void aManagerWithoutTheKeyEncryptionKeyWritesNothing() {
        NetworkKeyLoop blind = new NetworkKeyLoop(new SecretCipher(null));
        assertEquals(List.of(), store.view(tx -> blind.reconcile(tx, clock.get() + PERIOD * 10)));
        assertArrayEquals(new int[]{primary()}, keys().stream().mapToInt(NetworkKey::getId).toArray());
    }
}
