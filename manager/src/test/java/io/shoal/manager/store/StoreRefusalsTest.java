package io.shoal.manager.store;

import io.shoal.api.Annotations;
import io.shoal.api.Node;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.ApplyResult.Refusal;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Why the store refuses a write, as a type; the apply index as something to wait for; a watch's bound. */
class StoreRefusalsTest {
    private final ClusterStore store = new ClusterStore();
    private long index;

    private static StoreObject node(String id) {
        return StoreObjects.wrap(Node.newBuilder().setId(id).build());
    }

    private static StoreObject service(String id, String name) {
        return StoreObjects.wrap(Service.newBuilder().setId(id)
                .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))).build());
    }

    private ApplyResult apply(StoreAction... actions) {
        return store.apply(++index, StoreBatch.newBuilder().setTimestampMs(index).addAllActions(List.of(actions)).build());
    }

    @Test
    void everyRefusalSaysWhy() {
        assertTrue(apply(Batches.create(node("a")), Batches.create(service("s1", "web"))).getOk());
        assertEquals(Refusal.NONE, apply(Batches.create(node("b"))).getRefusal());
        assertEquals(Refusal.EXISTS, apply(Batches.create(node("a"))).getRefusal());
        assertEquals(Refusal.NOT_FOUND, apply(Batches.remove(node("ghost"))).getRefusal());
        assertEquals(Refusal.NAME_IN_USE, apply(Batches.create(service("s2", "web"))).getRefusal());
        assertEquals(Refusal.INVALID, apply(StoreAction.newBuilder().setKind(StoreAction.Kind.CREATE).build()).getRefusal());
        assertEquals(Refusal.INVALID, apply(Batches.create(node(""))).getRefusal());
        StoreObject stale = StoreObjects.wrap(store.view(tx -> tx.node("a")).orElseThrow());
        assertTrue(apply(Batches.update(stale)).getOk());
        ApplyResult conflict = apply(Batches.update(stale));
        assertEquals(Refusal.CONFLICT, conflict.getRefusal());
        assertTrue(conflict.getError().startsWith("update conflict: node a changed"), conflict.getError());
    }

    @Test
    void theWriterThrowsTheRefusalsTypeAndRetriesOnlyConflicts() {
        StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1));
        writer.update(tx -> List.of(Batches.create(node("a")), Batches.create(service("s1", "web"))));
        assertInstanceOf(StoreException.Exists.class, assertThrows(StoreException.class,
                () -> writer.update(tx -> List.of(Batches.create(node("a"))))));
        assertInstanceOf(StoreException.NotFound.class, assertThrows(StoreException.class,
                () -> writer.update(tx -> List.of(Batches.remove(node("ghost"))))));
        StoreException clash = assertThrows(StoreException.class, () -> writer.update(tx -> List.of(Batches.create(service("s2", "web")))));
        assertInstanceOf(StoreException.NameInUse.class, clash);
        assertEquals(Refusal.NAME_IN_USE, clash.refusal());
        assertEquals("service name web is already in use", clash.getMessage());

        // a writer that always reads a stale version: retried, then given up as a conflict
        StoreObject stale = StoreObjects.wrap(store.view(tx -> tx.node("a")).orElseThrow());
        writer.update(tx -> List.of(Batches.update(stale)));
        StoreException gaveUp = assertThrows(StoreException.class, () -> writer.update(tx -> List.of(Batches.update(stale))));
        assertInstanceOf(StoreException.Conflict.class, gaveUp);
        assertTrue(gaveUp.getMessage().endsWith("(gave up after 5 attempts)"), gaveUp.getMessage());
    }

    @Test
    void aConflictFromAManagerThatPredatesTheFieldIsStillAConflict() {
        ApplyResult old = ApplyResult.newBuilder().setOk(false).setIndex(3)
                .setError("update conflict: node a changed (version 2, expected 1)").build();
        assertEquals(Refusal.CONFLICT, StoreException.refusal(old));
        assertInstanceOf(StoreException.Conflict.class, StoreException.of(old));
        ApplyResult oldOther = ApplyResult.newBuilder().setOk(false).setError("node a already exists").build();
        assertEquals(Refusal.NONE, StoreException.refusal(oldOther), "any other old refusal is refused as it is");
        assertEquals(StoreException.class, StoreException.of(oldOther).getClass());
        assertEquals(Refusal.NONE, StoreException.refusal(ApplyResult.newBuilder().setOk(true).build()));
    }

    @Test
    void anIndexWaiterCompletesWhenTheStoreAppliesThatIndexNotBefore() throws Exception {
        apply(Batches.create(node("a")));
        assertEquals(1L, store.indexReached(1).get(0, TimeUnit.SECONDS), "reached already");
        CompletableFuture<Long> three = store.indexReached(3);
        CompletableFuture<Long> again = store.indexReached(3);
        apply(Batches.create(node("b")));
        assertFalse(three.isDone(), "index 2 is not 3");
        apply(Batches.remove(node("ghost"))); // a refused entry advances the index too
        assertEquals(3L, three.get(0, TimeUnit.SECONDS));
        assertTrue(again.isDone());
        CompletableFuture<Long> later = store.indexReached(9);
        ClusterStore other = new ClusterStore();
        other.apply(9, StoreBatch.newBuilder().addActions(Batches.create(node("z"))).build());
        store.restore(other.snapshot());
        assertEquals(9L, later.get(0, TimeUnit.SECONDS), "a snapshot install reaches its index");
    }

    @Test
    void aWatchWhoseReaderFallsBehindHoldsOneResetInsteadOfEveryEvent() throws Exception {
        try (Watch w = store.watch(3)) {
            for (int i = 0; i < 10; i++) {
                apply(Batches.create(node("n" + i)));
            }
            StoreEvent first = w.poll(0, TimeUnit.SECONDS);
            assertEquals(StoreEvent.Type.RESET, first.type(), "the events it could not hold became one reset");
            int after = 0;
            StoreEvent e;
            while ((e = w.poll(0, TimeUnit.SECONDS)) != null) {
                assertEquals(StoreEvent.Type.CREATE, e.type());
                after++;
            }
            assertTrue(after > 0 && after <= 3, "then the events since: " + after);
            assertNull(w.poll(0, TimeUnit.SECONDS));
        }
        try (Watch w = store.watch(3)) {
            apply(Batches.create(node("x")));
            apply(Batches.create(node("y")));
            assertEquals(StoreEvent.Type.CREATE, w.poll(0, TimeUnit.SECONDS).type(), "a reader within the bound sees every event");
            assertEquals(StoreEvent.Type.CREATE, w.poll(0, TimeUnit.SECONDS).type());
        }
    }
}
