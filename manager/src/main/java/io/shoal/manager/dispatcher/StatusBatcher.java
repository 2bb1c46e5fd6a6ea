package io.shoal.manager.dispatcher;

import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Coalesces the task status reports of every session this manager serves into few Raft writes:
 * reports wait while the previous write is in flight (and a few milliseconds more), then all of
 * them go in one entry (several when there are more than {@link #MAX_PER_ENTRY}). A report's
 * future completes once its entry is committed, so a worker's call still answers only when its
 * states are in the store. Only forward changes are written, for tasks on the reporting node.
 */
final class StatusBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusBatcher.class);
    static final int MAX_PER_ENTRY = 2_000;
    private static final long LINGER_MS = 10;

    private record Report(String nodeId, TaskStatus status) {}

    private final StoreWriter writer;
    private final Object lock = new Object();
    private Map<String, Report> pending = new LinkedHashMap<>();
    private List<CompletableFuture<Void>> waiters = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    StatusBatcher(StoreWriter writer) {
        this.writer = writer;
        this.thread = Thread.ofVirtual().name("dispatcher-status").start(this::loop);
    }

    /** Queues the reports of {@code nodeId}; the future completes when they are committed (or fails with the write). */
    CompletableFuture<Void> submit(String nodeId, List<TaskStatusUpdate> updates) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (updates.isEmpty()) {
            f.complete(null);
            return f;
        }
        synchronized (lock) {
            if (!running) {
                f.completeExceptionally(io.grpc.Status.UNAVAILABLE.withDescription("the dispatcher stopped").asRuntimeException());
                return f;
            }
            for (TaskStatusUpdate u : updates) {
                // a later report of the same task replaces an earlier one unless it goes backwards
                pending.merge(u.getTaskId(), new Report(nodeId, u.getStatus()), (a, b) ->
                        b.status().getState().getNumber() >= a.status().getState().getNumber() ? b : a);
            }
            waiters.add(f);
            lock.notifyAll();
        }
        return f;
    }

    private void loop() {
        while (running) {
            Map<String, Report> batch;
            List<CompletableFuture<Void>> done;
            try {
                synchronized (lock) {
                    while (running && waiters.isEmpty()) {
                        lock.wait();
                    }
                }
                Thread.sleep(LINGER_MS);
                synchronized (lock) {
                    batch = pending;
                    done = waiters;
                    pending = new LinkedHashMap<>();
                    waiters = new ArrayList<>();
                }
            } catch (InterruptedException e) {
                break;
            }
            try {
                long t0 = System.nanoTime();
                write(batch);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (batch.size() >= 100 || ms >= 200) {
                    LOG.info("wrote {} task states from {} reports in {} ms", batch.size(), done.size(), ms);
                }
                done.forEach(f -> f.complete(null));
            } catch (RuntimeException e) {
                LOG.debug("status write of {} tasks failed: {}", batch.size(), e.toString());
                done.forEach(f -> f.completeExceptionally(e));
            }
        }
        synchronized (lock) {
            waiters.forEach(f -> f.completeExceptionally(io.grpc.Status.UNAVAILABLE.withDescription("the dispatcher stopped").asRuntimeException()));
            waiters.clear();
        }
    }

    private void write(Map<String, Report> batch) {
        List<Map.Entry<String, Report>> all = new ArrayList<>(batch.entrySet());
        for (int from = 0; from < all.size(); from += MAX_PER_ENTRY) {
            List<Map.Entry<String, Report>> chunk = all.subList(from, Math.min(all.size(), from + MAX_PER_ENTRY));
            writer.update(tx -> {
                List<StoreAction> out = new ArrayList<>();
                for (Map.Entry<String, Report> e : chunk) {
                    TaskStatus s = e.getValue().status();
                    tx.task(e.getKey())
                            .filter(t -> t.getNodeId().equals(e.getValue().nodeId()))
                            .filter(t -> s.getState().getNumber() > t.getStatus().getState().getNumber()
                                    || (s.getState() == t.getStatus().getState() && !s.equals(t.getStatus())
                                        && s.getTimestampMs() >= t.getStatus().getTimestampMs()))
                            .ifPresent(t -> out.add(Batches.update(StoreObjects.wrap(t.toBuilder().setStatus(s).build()))));
                }
                return out;
            });
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
        thread.interrupt();
    }
}
