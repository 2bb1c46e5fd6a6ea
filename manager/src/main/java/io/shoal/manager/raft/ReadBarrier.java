package io.shoal.manager.raft;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * What a linearizable read waits for: an empty entry committed through the Raft leader after the
 * read began, then applied here. Its commit proves that a majority still followed that leader
 * after the read arrived, and everything acknowledged before the read sits at a lower index.
 *
 * <p>Why not Ratis' read index ({@code sendReadOnly} with {@code Read.Option.LINEARIZABLE}): in
 * Ratis 3.3.0 a leader answers a read at once when its commit index has not moved since its last
 * confirmed one ({@code ReadIndexHeartbeats.ackedCommitIndex}), without asking the followers again,
 * and a heartbeat reply to a request sent before the read counts as a confirmation. A leader that
 * was paused or cut off commits nothing, so its commit index stays where it was confirmed: when it
 * resumes it answers reads from its old state until it notices the new term. ChaosIT found one
 * such read (a leader paused 2.2 s answered with a value 2 s old, 30 ms before it stepped down).
 *
 * <p>Reads share entries: while one is in flight, the reads that arrive wait for the next, which is
 * proposed when it completes (so after they began), whatever their number. An idle cluster writes
 * one empty entry per read; a busy one one per commit round trip at most. An empty entry applies
 * as a no-op on every release (an empty batch), so no format gate is needed.
 */
final class ReadBarrier {
    /** proposes an empty entry; completes with its index once committed */
    private final Supplier<CompletableFuture<Long>> emptyEntry;
    /** completes once this member applied the index */
    private final LongFunction<CompletableFuture<Long>> applied;
    /** the entry proposed after the current one completes, for the reads that arrived meanwhile */
    private CompletableFuture<Long> next;
    private boolean inFlight;

    ReadBarrier(Supplier<CompletableFuture<Long>> emptyEntry, LongFunction<CompletableFuture<Long>> applied) {
        this.emptyEntry = emptyEntry;
        this.applied = applied;
    }

    /** Completes once this member holds every write acknowledged before this call. */
    CompletableFuture<Long> await() {
        CompletableFuture<Long> committed;
        synchronized (this) {
            if (inFlight) {
                if (next == null) {
                    next = new CompletableFuture<>();
                }
                committed = next;
            } else {
                inFlight = true;
                committed = null;
            }
        }
        if (committed == null) {
            committed = propose();
        }
        return committed.thenCompose(applied::apply);
    }

    /** Proposes an entry; when it completes, proposes the next one if reads wait for it. */
    private CompletableFuture<Long> propose() {
        CompletableFuture<Long> entry;
        try {
            entry = emptyEntry.get();
        } catch (RuntimeException e) {
            entry = CompletableFuture.failedFuture(e);
        }
        entry.whenComplete((index, err) -> {
            CompletableFuture<Long> waiting;
            synchronized (this) {
                waiting = next;
                next = null;
                inFlight = waiting != null;
            }
            if (waiting != null) {
                propose().whenComplete((i, e) -> {
                    if (e != null) {
                        waiting.completeExceptionally(e);
                    } else {
                        waiting.complete(i);
                    }
                });
            }
        });
        return entry;
    }
}
