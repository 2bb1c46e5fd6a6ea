package io.shoal.manager.store;

import io.shoal.api.Node;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreWriterTest {
    /** A write of many entries keeps only a few in flight, and every entry still applies, in order. */
    @Test
    void aChunkedWriteKeepsFewEntriesInFlight() throws Exception {
        ClusterStore store = new ClusterStore();
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        long[] index = {0};
        ScheduledExecutorService raft = Executors.newSingleThreadScheduledExecutor(); // commits in order, 20 ms later
        try {
            Proposer slow = batch -> {
                most.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                CompletableFuture<ApplyResult> f = new CompletableFuture<>();
                raft.schedule(() -> {
                    ApplyResult r = store.apply(++index[0], batch);
                    outstanding.decrementAndGet();
                    f.complete(r);
                }, 20, TimeUnit.MILLISECONDS);
                return f;
            };
            List<StoreAction> creates = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                creates.add(Batches.create(StoreObjects.wrap(Node.newBuilder().setId(String.format("n%02d", i)).build())));
            }
            ApplyResult last = new StoreWriter(store, slow).update(tx -> creates, 2); // 13 entries
            assertTrue(last.getOk());
            assertEquals(13, last.getIndex());
            assertEquals(25, (int) store.view(tx -> tx.nodes().size()));
            assertTrue(most.get() <= StoreWriter.MAX_IN_FLIGHT && most.get() > 1, "at most " + StoreWriter.MAX_IN_FLIGHT
                    + " entries in flight, and more than one: " + most.get());
        } finally {
            raft.shutdownNow();
        }
    }

    /** Entries apply or not each on its own; a refused one is reported once all are done. */
    @Test
    void aRefusedChunkIsReportedAfterTheOthersApplied() {
        ClusterStore store = new ClusterStore();
        StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1000));
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(Node.newBuilder().setId("n03").build()))));
        List<StoreAction> creates = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            creates.add(Batches.create(StoreObjects.wrap(Node.newBuilder().setId(String.format("n%02d", i)).build())));
        }
        StoreException e = Assertions.assertThrows(StoreException.class, () -> writer.update(tx -> creates, 2));
        assertEquals("node n03 already exists", e.getMessage());
        assertEquals(List.of("n00", "n01", "n03", "n04", "n05"), store.view(tx -> tx.nodes().stream().map(Node::getId).toList()),
                "the entry with n02 and n03 was refused whole; the others applied");
    }
}
