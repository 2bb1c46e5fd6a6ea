package io.shoal.manager.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Futures completed when the store reaches an index (as swarmkit's {@code state/raft/wait.go}):
 * whoever must read its own write waits for the apply itself instead of polling the index.
 */
final class IndexWaiters {
    private final TreeMap<Long, CompletableFuture<Long>> waiting = new TreeMap<>();
    private long reached;

    /** Completes (with the index reached) once the store has applied {@code index}. */
    synchronized CompletableFuture<Long> at(long index) {
        if (index <= reached) {
            return CompletableFuture.completedFuture(reached);
        }
        return waiting.computeIfAbsent(index, k -> new CompletableFuture<>());
    }

    /**
     * The store reached {@code index}; returns the futures now due, for the caller to complete
     * outside its own lock (their dependants run on the completing thread).
     */
    synchronized Runnable reach(long index) {
        if (index <= reached) {
            return () -> { };
        }
        reached = index;
        Map<Long, CompletableFuture<Long>> head = waiting.headMap(index, true);
        if (head.isEmpty()) {
            return () -> { };
        }
        List<CompletableFuture<Long>> due = new ArrayList<>(head.values());
        head.clear();
        return () -> due.forEach(f -> f.complete(index));
    }
}
