package io.shoal.manager.control;

import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.manager.ca.CaException;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.manager.security.UnlockKeys;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The unlock key in the store: sealed with the KEK, turned on and off and rotated through one entry each. */
class AutolockApiTest {
    private final ClusterStore store = new ClusterStore();
    private final LocalConsensus consensus = new LocalConsensus(store);
    private final StoreWriter writer = new StoreWriter(store, consensus);
    private final byte[] kek = KeyEncryption.newKey();
    private final UnlockKeys keys = new UnlockKeys(store, writer, kek, new SecureRandom());
    private final ClusterApi api = new ClusterApi(store, writer, consensus, keys);

    @BeforeEach
    void create() {
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Cluster.newBuilder().setId("c1")
                .setSpec(ClusterSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("default"))).build()))));
    }

    private Cluster cluster() {
        return store.view(tx -> tx.cluster()).orElseThrow();
    }

    private void autolock(boolean on) {
        api.updateCluster(UpdateClusterRequest.newBuilder().setSetAutolock(true).setAutolock(on).build());
    }

    @Test
    void onGivesAKeyThatOnlyTheKekOpensAndOffRemovesIt() {
        assertEquals("", keys.get().getUnlockKey(), "autolock is off at first");
        autolock(true);
        Cluster c = cluster();
        assertTrue(c.getSpec().getAutolock());
        UnlockKey key = UnlockKey.parse(keys.get().getUnlockKey());
        assertEquals(key, UnlockKeys.current(kek, c).orElseThrow());
        assertFalse(c.getUnlockKey().toStringUtf8().contains(key.toString().substring(9)), "the store holds the key in plaintext");
        assertThrows(CaException.class, () -> UnlockKeys.current(KeyEncryption.newKey(), c), "another kek");
        assertThrows(CaException.class, () -> UnlockKeys.current(kek, c.toBuilder().setId("c2").build()), "another cluster");

        autolock(true);
        assertEquals(key.toString(), keys.get().getUnlockKey(), "turning it on again keeps the key");
        autolock(false);
        assertFalse(cluster().getSpec().getAutolock());
        assertTrue(cluster().getUnlockKey().isEmpty());
        assertEquals("", keys.get().getUnlockKey());
    }

    @Test
    void rotationMakesANewKeyAndIsRefusedWhileAutolockIsOff() {
        long before = cluster().getMeta().getVersion();
        StatusRuntimeException off = assertThrows(StatusRuntimeException.class, keys::rotate);
        assertEquals(UnlockKeys.NOT_ENABLED, off.getStatus().getDescription());
        assertEquals(before, cluster().getMeta().getVersion(), "a refused rotation changed the cluster");

        autolock(true);
        String first = keys.get().getUnlockKey();
        String next = keys.rotate().getUnlockKey();
        assertNotEquals(first, next);
        assertEquals(next, keys.get().getUnlockKey());
    }

    @Test
    void anUpdateWithNothingToChangeIsRefused() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> api.updateCluster(UpdateClusterRequest.getDefaultInstance()));
        assertEquals("nothing to update: give --cert-expiry, --autolock or --network-key-rotation", e.getStatus().getDescription());
    }

    @Test
    void theNetworkKeyRotationPeriodIsStoredAndATooShortOneChangesNothing() {
        long before = cluster().getMeta().getVersion();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api.updateCluster(UpdateClusterRequest.newBuilder()
                .setSetNetworkKeyRotation(true).setNetworkKeyRotationMs(4_999).build()));
        assertEquals("--network-key-rotation: 4999ms is too short: use at least 5s", e.getStatus().getDescription());
        assertEquals(before, cluster().getMeta().getVersion(), "nothing written");
        api.updateCluster(UpdateClusterRequest.newBuilder().setSetNetworkKeyRotation(true).setNetworkKeyRotationMs(5_000).build());
        assertEquals(5_000, cluster().getSpec().getNetworkKeyRotationMs());
        assertEquals(java.time.Duration.ofSeconds(5), io.shoal.manager.ClusterSettings.networkKeyRotation(cluster().getSpec()));
    }
}
