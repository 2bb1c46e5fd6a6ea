package io.shoal.manager.orchestrator;

import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreException;
import io.shoal.manager.store.StoreWriter;
import io.shoal.manager.store.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs reconcilers on the leader: after every burst of store changes (and at least every
 * {@code periodMs}, for time-based decisions) each reconciler looks at the store and its writes
 * are proposed as one batch. Loops never call each other; they meet only in the store.
 */
public final class LoopRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LoopRunner.class);

    private final ClusterStore store;
    private final StoreWriter writer;
    private final List<Reconciler> loops;
    private final LongSupplier clock;
    private final long periodMs;
    private volatile Thread thread;

    public LoopRunner(ClusterStore store, StoreWriter writer, List<Reconciler> loops, LongSupplier clock, long periodMs) {
        this.store = store;
        this.writer = writer;
        this.loops = List.copyOf(loops);
        this.clock = clock;
        this.periodMs = periodMs;
    }

    public synchronized void run() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("control-loops").start(this::loop);
        }
    }

    public synchronized void stop() {
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    private void loop() {
        try (Watch w = store.watch()) {
            while (!Thread.currentThread().isInterrupted()) {
                pass();
                if (w.poll(periodMs, TimeUnit.MILLISECONDS) != null) {
                    while (w.poll(5, TimeUnit.MILLISECONDS) != null) {
                        // drain the burst; one pass covers all of it
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One pass of every loop, in order. Visible for tests. */
    public void pass() {
        for (Reconciler r : loops) {
            try {
                writer.update(tx -> {
                    List<StoreAction> actions = r.reconcile(tx, clock.getAsLong());
                    return actions;
                });
            } catch (StoreException | io.shoal.manager.consensus.ConsensusException e) {
                LOG.warn("{}: {}", r.name(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("{} failed", r.name(), e);
            }
        }
    }
}
