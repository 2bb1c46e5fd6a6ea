package io.shoal.manager.store;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Applies batches straight to one store with its own index: for unit tests and simulations. Every
 * batch is stamped with this proposer's clock (a simulation's fake clock), as a leader stamps its
 * own time, so objects' meta times and the loops' clock agree.
 */
public final class LocalProposer implements Proposer {
    private final ClusterStore store;
    private final LongSupplier clock;
    private long index;

    public LocalProposer(ClusterStore store, LongSupplier clockMillis) {
        this.store = store;
        this.clock = clockMillis;
        this.index = store.appliedIndex();
    }

    @Override
    public synchronized CompletableFuture<ApplyResult> propose(StoreBatch batch) {
        StoreBatch b = batch.toBuilder().setTimestampMs(clock.getAsLong()).build();
        return CompletableFuture.completedFuture(store.apply(++index, b));
    }
}
