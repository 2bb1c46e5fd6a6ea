package io.shoal.manager.store;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.ApplyResult.Refusal;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.consensus.ConsensusException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * How manager code writes: read a view, decide the actions, propose them; when another writer got
 * there first (a {@link Refusal#CONFLICT}), read again and retry. Throws the {@link StoreException}
 * of the store's refusal ({@link StoreException.Exists}, {@link StoreException.NotFound}, ...)
 * when the write is refused. Returns once this manager's own store has applied the write, so the
 * writer reads what it wrote.
 */
public final class StoreWriter {
    private static final int ATTEMPTS = 5;
    /**
     * Entries of one chunked write in flight at once: enough to keep Raft's pipeline busy, few
     * enough that a pass of 90,000 actions does not queue 90 entries (tens of MB) ahead of the
     * leader's heartbeats to its followers (which then started an election).
     */
    static final int MAX_IN_FLIGHT = 4;


    private final ClusterStore store;
    private final Proposer proposer;
    private final Duration timeout;

    public StoreWriter(ClusterStore store, Proposer proposer) {
        this(store, proposer, Duration.ofSeconds(10));
    }

    public StoreWriter(ClusterStore store, Proposer proposer, Duration timeout) {
        this.store = store;
        this.proposer = proposer;
        this.timeout = timeout;
    }

    public ApplyResult update(Function<ReadTx, List<StoreAction>> fn) {
        return update(fn, Integer.MAX_VALUE);
    }

    /**
     * As {@link #update(Function)}, but a write of more than {@code maxPerEntry} actions goes in
     * several entries of at most that many, proposed together (Raft keeps their order). Each entry
     * applies or not on its own, and a conflicting one is not retried: for level-triggered writers
     * (the control loops), whose next pass sees what applied and decides again.
     */
    public ApplyResult update(Function<ReadTx, List<StoreAction>> fn, int maxPerEntry) {
        return update(fn, maxPerEntry, false);
    }

    /**
     * As {@link #update(Function, int)}, deciding on a copy of the store ({@link ClusterStore#detachedView}):
     * for writers that read much and long (a pass of the control loops), so that the store's
     * committed entries are applied meanwhile, not held back until they decided.
     */
    public ApplyResult updateDetached(Function<ReadTx, List<StoreAction>> fn, int maxPerEntry) {
        return update(fn, maxPerEntry, true);
    }

    private ApplyResult update(Function<ReadTx, List<StoreAction>> fn, int maxPerEntry, boolean detached) {
        ApplyResult last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<StoreAction> actions = detached ? store.detachedView(fn) : store.view(fn);
            if (actions.isEmpty()) {
                return ApplyResult.newBuilder().setOk(true).setIndex(store.appliedIndex()).build();
            }
            if (actions.size() > maxPerEntry) {
                return proposeChunks(actions, maxPerEntry);
            }
            StoreBatch batch = StoreBatch.newBuilder().addAllActions(actions).setTimestampMs(System.currentTimeMillis())
                    .setFormat(StoreFormat.WRITTEN).build();
            last = await(batch);
            if (last.getOk()) {
                awaitApplied(last.getIndex());
                return last;
            }
            if (StoreException.refusal(last) != Refusal.CONFLICT) {
                throw StoreException.of(last);
            }
            awaitApplied(last.getIndex());
        }
        throw new StoreException.Conflict(last.getError() + " (gave up after " + ATTEMPTS + " attempts)");
    }

    private ApplyResult proposeChunks(List<StoreAction> actions, int maxPerEntry) {
        ArrayDeque<CompletableFuture<ApplyResult>> inFlight = new ArrayDeque<>();
        long ts = System.currentTimeMillis();
        ApplyResult last = null;
        ApplyResult refused = null;
        for (int from = 0; from < actions.size() || !inFlight.isEmpty(); from += maxPerEntry) {
            if (from < actions.size()) {
                StoreBatch batch = StoreBatch.newBuilder().addAllActions(actions.subList(from, Math.min(actions.size(), from + maxPerEntry)))
                        .setTimestampMs(ts).setFormat(StoreFormat.WRITTEN).build();
                inFlight.add(proposer.propose(batch));
            }
            while (!inFlight.isEmpty() && (inFlight.size() >= MAX_IN_FLIGHT || from + maxPerEntry >= actions.size())) {
                ApplyResult r = await(inFlight.poll());
                if (last == null || r.getIndex() > last.getIndex()) {
                    last = r;
                }
                if (refused == null && !r.getOk() && StoreException.refusal(r) != Refusal.CONFLICT) {
                    refused = r;
                }
            }
        }
        awaitApplied(last.getIndex());
        if (refused != null) {
            throw StoreException.of(refused);
        }
        return last;
    }

    private ApplyResult await(StoreBatch batch) {
        return await(proposer.propose(batch));
    }

    private ApplyResult await(CompletableFuture<ApplyResult> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while writing");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new StoreException(String.valueOf(c.getMessage()));
        } catch (TimeoutException e) {
            throw new ConsensusException("the write was not committed within "
                    + timeout.toSeconds() + " s (is a majority of managers up?)");
        }
    }

    /**
     * The proposer may answer before the local store applied the entry (a follower): wait for the
     * apply. A store that does not get there within the timeout is left to catch up on its own.
     */
    private void awaitApplied(long index) {
        try {
            store.indexReached(index).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // not applied here yet: the caller reads an older state, as it would have before waiting
        }
    }
}
