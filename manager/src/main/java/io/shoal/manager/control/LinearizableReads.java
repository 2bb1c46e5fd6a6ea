package io.shoal.manager.control;

import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ReadTx;

import java.time.Duration;
import java.util.function.Function;

/**
 * Reads for the Control API: each first passes a Raft read barrier, so what it returns includes
 * every write acknowledged before the call.
 */
final class LinearizableReads {
    static final Duration BARRIER = Duration.ofSeconds(5);

    private final ClusterStore store;
    private final Consensus consensus;

    LinearizableReads(ClusterStore store, Consensus consensus) {
        this.store = store;
        this.consensus = consensus;
    }

    <T> T read(Function<ReadTx, T> fn) {
        consensus.barrier(BARRIER);
        return store.view(fn);
    }
}
