package io.shoal.manager.store;

import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeRole;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import io.shoal.api.raft.StoreSnapshot;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreFormatTest {
    private static Node node(NodeRole role, int format) {
        return Node.newBuilder().setId(role + "-" + format).setRole(role)
                .setDescription(NodeDescription.newBuilder().setStoreFormat(format)).build();
    }

    @Test
    void theClusterAgreesOnTheLowestFormatAnyManagerReports() {
        assertEquals(StoreFormat.CURRENT, StoreFormat.agreed(List.of()));
        assertEquals(StoreFormat.CURRENT, StoreFormat.agreed(List.of(node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT),
                node(NodeRole.NODE_ROLE_WORKER, 0))), "a worker of an older release does not hold managers back");
        assertEquals(StoreFormat.LEGACY, StoreFormat.agreed(List.of(node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT),
                node(NodeRole.NODE_ROLE_MANAGER, 0))), "a manager of a release before formats reports 0: the legacy format");
        assertEquals(StoreFormat.CURRENT, StoreFormat.agreed(List.of(node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT + 1),
                node(NodeRole.NODE_ROLE_MANAGER, StoreFormat.CURRENT))));
    }

    private static StoreObject plainNode(String id) {
        return StoreObjects.wrap(Node.newBuilder().setId(id).build());
    }

    @Test
    void whatTheStoreWritesCarriesItsFormat() {
        ClusterStore store = new ClusterStore();
        store.apply(1, StoreBatch.newBuilder().addActions(Batches.create(plainNode("a"))).build());
        assertEquals(StoreFormat.WRITTEN, store.snapshot().getFormat());
        assertTrue(StoreFormat.WRITTEN <= StoreFormat.CURRENT);
    }

    @Test
    void entriesWithoutAFormatAndUpToThisBuildsApply() {
        ClusterStore store = new ClusterStore();
        assertTrue(store.apply(1, StoreBatch.newBuilder().addActions(Batches.create(plainNode("legacy"))).build()).getOk(),
                "an entry of a release before formats (0)");
        assertTrue(store.apply(2, StoreBatch.newBuilder().setFormat(StoreFormat.CURRENT)
                .addActions(Batches.create(plainNode("current"))).build()).getOk());
        assertEquals(2, store.appliedIndex());
    }

    @Test
    void anEntryNewerThanThisBuildIsRefusedWholeByName() {
        ClusterStore store = new ClusterStore();
        store.apply(1, StoreBatch.newBuilder().addActions(Batches.create(plainNode("a"))).build());
        StoreSnapshot before = store.snapshot();
        StoreBatch newer = StoreBatch.newBuilder().setFormat(StoreFormat.CURRENT + 1)
                .addActions(Batches.create(plainNode("b"))).addActions(Batches.create(plainNode("c"))).build();
        StoreFormat.TooNew e = assertThrows(StoreFormat.TooNew.class, () -> store.apply(7, newer));
        assertEquals("Raft log entry 7 has store format " + (StoreFormat.CURRENT + 1) + ", newer than this build's "
                + StoreFormat.CURRENT + ": not applied; upgrade this manager to the release of the others", e.getMessage());
        assertEquals(before, store.snapshot(), "nothing of the entry applied, and the applied index did not move");
        assertEquals(1, store.appliedIndex());
    }

    @Test
    void aSnapshotNewerThanThisBuildIsRefusedBeforeTheStoreChanges() {
        ClusterStore source = new ClusterStore();
        source.apply(3, StoreBatch.newBuilder().addActions(Batches.create(plainNode("x"))).build());
        StoreSnapshot newer = source.snapshot().toBuilder().setFormat(StoreFormat.CURRENT + 1).build();
        ClusterStore store = new ClusterStore();
        store.apply(1, StoreBatch.newBuilder().addActions(Batches.create(plainNode("kept"))).build());
        StoreSnapshot before = store.snapshot();
        StoreFormat.TooNew e = assertThrows(StoreFormat.TooNew.class, () -> store.restore(newer));
        assertTrue(e.getMessage().startsWith("the store snapshot at Raft index 3 has store format " + (StoreFormat.CURRENT + 1)),
                e.getMessage());
        assertEquals(before, store.snapshot());
        store.restore(source.snapshot());
        assertEquals(3, store.appliedIndex(), "a snapshot of this build's format restores");
    }
}
