package io.shoal.manager.store;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * A {@link Proposer} that measures each proposal from the call to its result (committed and
 * applied; refused ones too), in nanoseconds, for the Raft commit latency metric. The sink does
 * nothing until one is set, so the store needs no metrics to work.
 */
public final class TimedProposer implements Proposer {
    private final Proposer proposer;
    private volatile LongConsumer sink = nanos -> { };

    public TimedProposer(Proposer proposer) {
        this.proposer = proposer;
    }

    /** Where the latencies go (a timer); replaces the previous sink. */
    public void onCommit(LongConsumer nanos) {
        this.sink = nanos;
    }

    @Override
    public CompletableFuture<ApplyResult> propose(StoreBatch batch) {
        long start = System.nanoTime();
        CompletableFuture<ApplyResult> f = proposer.propose(batch);
        f.whenComplete((r, e) -> {
            if (e == null) {
                sink.accept(System.nanoTime() - start);
            }
        });
        return f;
    }
}
