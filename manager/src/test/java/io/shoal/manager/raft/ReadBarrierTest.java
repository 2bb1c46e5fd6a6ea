package io.shoal.manager.raft;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads wait for an empty entry proposed after they began; reads that arrive together share one. */
class ReadBarrierTest {
    /** the empty entries proposed, completed by the test as the leader would commit them */
    private final List<CompletableFuture<Long>> proposed = new ArrayList<>();
    /** indexes applied here so far */
    private long applied;
    private final List<CompletableFuture<Long>> applyWaits = new ArrayList<>();
    private final List<Long> applyIndexes = new ArrayList<>();

    private final ReadBarrier barrier = new ReadBarrier(() -> {
        CompletableFuture<Long> f = new CompletableFuture<>();
        proposed.add(f);
        return f;
    }, index -> {
        if (index <= applied) {
            return CompletableFuture.completedFuture(index);
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        applyWaits.add(f);
        applyIndexes.add(index);
        return f;
    });

    @Test
    void aReadProposesAnEntryAndEndsOnceItIsCommittedAndAppliedHere() {
        CompletableFuture<Long> read = barrier.await();
        assertEquals(1, proposed.size());
        proposed.get(0).complete(7L);
        assertFalse(read.isDone(), "committed, not yet applied on this member");
        assertEquals(List.of(7L), applyIndexes);
        applyWaits.get(0).complete(7L);
        assertEquals(7L, read.join());
    }

    @Test
    void readsArrivingWhileAnEntryIsInFlightShareTheNextOneProposedAfterIt() {
        applied = Long.MAX_VALUE;
        CompletableFuture<Long> first = barrier.await();
        CompletableFuture<Long> second = barrier.await();
        CompletableFuture<Long> third = barrier.await();
        assertEquals(1, proposed.size(), "the later reads began after the first entry was proposed: not theirs");
        proposed.get(0).complete(10L);
        assertEquals(10L, first.join());
        assertFalse(second.isDone());
        assertEquals(2, proposed.size(), "one entry for both waiting reads, proposed after the first completed");
        proposed.get(1).complete(11L);
        assertEquals(11L, second.join());
        assertEquals(11L, third.join());
        CompletableFuture<Long> later = barrier.await();
        assertEquals(3, proposed.size(), "nothing in flight: a new read proposes at once");
        proposed.get(2).complete(12L);
        assertEquals(12L, later.join());
    }

    @Test
    void aFailedEntryFailsItsReadsAndTheNextReadsStillGetTheirOwn() {
        applied = Long.MAX_VALUE;
        CompletableFuture<Long> first = barrier.await();
        CompletableFuture<Long> waiting = barrier.await();
        proposed.get(0).completeExceptionally(new IllegalStateException("the leader stepped down"));
        ExecutionException e = assertThrows(ExecutionException.class, first::get);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(2, proposed.size(), "the waiting read gets an entry of its own");
        proposed.get(1).completeExceptionally(new IllegalStateException("no leader"));
        assertTrue(waiting.isCompletedExceptionally());
        CompletableFuture<Long> after = barrier.await();
        assertEquals(3, proposed.size());
        proposed.get(2).complete(20L);
        assertEquals(20L, after.join());
    }
}
