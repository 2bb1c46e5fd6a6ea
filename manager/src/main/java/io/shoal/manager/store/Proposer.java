package io.shoal.manager.store;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;

import java.util.concurrent.CompletableFuture;

/**
 * The one seam between writers and the replicated log. {@link #propose} commits the batch to the
 * log; the future completes with the result of applying it (the same on every manager), or
 * exceptionally when it could not be committed (no leader, lost quorum).
 */
public interface Proposer {
    CompletableFuture<ApplyResult> propose(StoreBatch batch);
}
