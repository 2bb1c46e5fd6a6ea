package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.shoal.api.Node;
import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * Coalesces the task status reports of every session this manager serves into few Raft writes
 * (and, the same way, the node updates of sessions that open, a thousand at once after a restart):
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
    private record NodeChange(UnaryOperator<Node> change, List<CompletableFuture<Void>> waiters) {}
    private Map<String, NodeChange> nodeChanges = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** Raft entries written for reports (a metric the dispatcher keeps across batchers). */
    private final LongAdder entries;

    StatusBatcher(StoreWriter writer, LongAdder entries) {
        this.writer = writer;
        this.entries = entries;
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
                f.completeExceptionally(Status.UNAVAILABLE.withDescription("the dispatcher stopped").asRuntimeException());
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

    /**
     * Queues a change of a node (a session opening); the future completes when it is committed,
     * or fails with PERMISSION_DENIED when the store has no such node.
     */
    CompletableFuture<Void> changeNode(String nodeId, UnaryOperator<Node> change) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (lock) {
            if (!running) {
                f.completeExceptionally(Status.UNAVAILABLE.withDescription("the dispatcher stopped").asRuntimeException());
                return f;
            }
            NodeChange prev = nodeChanges.get(nodeId);
            List<CompletableFuture<Void>> ws = new ArrayList<>(prev == null ? List.of() : prev.waiters());
            ws.add(f);
            nodeChanges.put(nodeId, new NodeChange(change, ws)); // the latest change wins
            lock.notifyAll();
        }
        return f;
    }

    private void loop() {
        while (running) {
            Map<String, Report> batch;
            List<CompletableFuture<Void>> done;
            Map<String, NodeChange> nodes;
            try {
                synchronized (lock) {
                    while (running && waiters.isEmpty() && nodeChanges.isEmpty()) {
                        lock.wait();
                    }
                }
                Thread.sleep(LINGER_MS);
                synchronized (lock) {
                    batch = pending;
                    done = waiters;
                    nodes = nodeChanges;
                    pending = new LinkedHashMap<>();
                    waiters = new ArrayList<>();
                    nodeChanges = new LinkedHashMap<>();
                }
            } catch (InterruptedException e) {
                break;
            }
            if (!nodes.isEmpty()) {
                writeNodes(nodes);
            }
            if (done.isEmpty()) {
                continue;
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
            RuntimeException stopped = Status.UNAVAILABLE.withDescription("the dispatcher stopped").asRuntimeException();
            waiters.forEach(f -> f.completeExceptionally(stopped));
            waiters.clear();
            nodeChanges.values().forEach(c -> c.waiters().forEach(f -> f.completeExceptionally(stopped)));
            nodeChanges.clear();
        }
    }

    private void writeNodes(Map<String, NodeChange> nodes) {
        Set<String> missing = new HashSet<>();
        try {
            writer.update(tx -> {
                missing.clear();
                List<StoreAction> out = new ArrayList<>();
                nodes.forEach((id, c) -> {
                    var n = tx.node(id);
                    if (n.isEmpty()) {
                        missing.add(id);
                        return;
                    }
                    Node next = c.change().apply(n.get());
                    if (!next.equals(n.get())) {
                        out.add(Batches.update(StoreObjects.wrap(next)));
                    }
                });
                return out;
            });
        } catch (RuntimeException e) {
            nodes.values().forEach(c -> c.waiters().forEach(f -> f.completeExceptionally(e)));
            return;
        }
        nodes.forEach((id, c) -> c.waiters().forEach(f -> {
            if (missing.contains(id)) {
                f.completeExceptionally(Status.PERMISSION_DENIED
                        .withDescription("node " + id + " is not part of the cluster (removed, or not yet recorded)").asRuntimeException());
            } else {
                f.complete(null);
            }
        }));
    }

    private void write(Map<String, Report> batch) {
        List<Map.Entry<String, Report>> all = new ArrayList<>(batch.entrySet());
        for (int from = 0; from < all.size(); from += MAX_PER_ENTRY) {
            List<Map.Entry<String, Report>> chunk = all.subList(from, Math.min(all.size(), from + MAX_PER_ENTRY));
            // skip what this manager's store already shows as moot (the task is on another node, or
            // the report is not forward); a task this store does not have yet (a follower that lags
            // the leader) is written anyway: every replica applies the rule again at apply time
            // (TaskStatusChange), so a report never conflicts and is never dropped for a lag
            entries.increment();
            writer.update(tx -> {
                List<StoreAction> out = new ArrayList<>();
                for (Map.Entry<String, Report> e : chunk) {
                    TaskStatus s = e.getValue().status();
                    String node = e.getValue().nodeId();
                    boolean moot = tx.task(e.getKey())
                            .map(t -> !t.getNodeId().equals(node) || !ClusterStore.forward(t.getStatus(), s))
                            .orElse(false);
                    if (!moot) {
                        out.add(Batches.status(e.getKey(), node, s));
                    }
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
