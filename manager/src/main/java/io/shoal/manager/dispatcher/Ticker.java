package io.shoal.manager.dispatcher;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Runs a task again and again on a scheduler, each time after an interval read anew (the heartbeat
 * period changes with the fleet), until cancelled. The task is told how long this manager stalled
 * beyond two intervals before the run (0 usually): real time, measured with {@link System#nanoTime},
 * in which a long GC pause or a starved CPU kept the manager from hearing anything.
 */
final class Ticker {
    private static final Logger LOG = LoggerFactory.getLogger(Ticker.class);

    private final ScheduledExecutorService scheduler;
    private final LongSupplier intervalMs;
    private final LongConsumer task;
    private final String name;
    private volatile boolean cancelled;
    private volatile ScheduledFuture<?> next;
    private long lastRun = System.nanoTime();

    private Ticker(ScheduledExecutorService scheduler, LongSupplier intervalMs, LongConsumer task, String name) {
        this.scheduler = scheduler;
        this.intervalMs = intervalMs;
        this.task = task;
        this.name = name;
    }

    /** Starts ticking: the first run one interval from now. */
    static Ticker start(ScheduledExecutorService scheduler, LongSupplier intervalMs, LongConsumer task, String name) {
        Ticker t = new Ticker(scheduler, intervalMs, task, name);
        t.schedule();
        return t;
    }

    private void schedule() {
        if (cancelled) {
            return;
        }
        try {
            next = scheduler.schedule(this::run, intervalMs.getAsLong(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            cancelled = true; // the scheduler shut down
        }
    }

    private void run() {
        if (cancelled) {
            return;
        }
        long interval = intervalMs.getAsLong();
        long now = System.nanoTime();
        long stalled = (now - lastRun) / 1_000_000 - 2 * interval;
        lastRun = now;
        try {
            task.accept(Math.max(0, stalled));
        } catch (RuntimeException e) {
            LOG.warn("{} failed: {}", name, e.getMessage());
        }
        schedule();
    }

    void cancel() {
        cancelled = true;
        ScheduledFuture<?> f = next;
        if (f != null) {
            f.cancel(false);
        }
    }
}
