package io.shoal.manager.dispatcher;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler on a test's clock: nothing runs until {@link #advance}, which moves the clock and
 * runs, on the caller's thread, every task that is due by then in order. Only one-shot
 * {@code schedule(Runnable, ...)} is supported (what {@link Ticker} uses).
 */
final class ManualScheduler implements ScheduledExecutorService {
    private final AtomicLong now;
    private final PriorityQueue<Job> jobs = new PriorityQueue<>(Comparator.comparingLong(Job::due));
    private boolean shutdown;

    ManualScheduler(AtomicLong now) {
        this.now = now;
    }

    private final class Job implements ScheduledFuture<Object> {
        final long due;
        final Runnable task;
        boolean cancelled;
        boolean done;

        Job(long due, Runnable task) {
            this.due = due;
            this.task = task;
        }

        long due() {
            return due;
        }

        @Override public long getDelay(TimeUnit unit) { return unit.convert(due - now.get(), TimeUnit.MILLISECONDS); }
        @Override public int compareTo(Delayed o) { return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS)); }
        @Override public boolean cancel(boolean interrupt) { cancelled = true; return true; }
        @Override public boolean isCancelled() { return cancelled; }
        @Override public boolean isDone() { return done || cancelled; }
        @Override public Object get() { return null; }
        @Override public Object get(long timeout, TimeUnit unit) { return null; }
    }

    /** Moves the clock by {@code ms}, running each task when its time comes. */
    void advance(long ms) {
        long until = now.get() + ms;
        while (true) {
            Job next;
            synchronized (this) {
                next = jobs.peek();
                if (next == null || next.due > until) {
                    break;
                }
                jobs.poll();
            }
            now.set(Math.max(now.get(), next.due));
            if (!next.cancelled) {
                next.done = true;
                next.task.run();
            }
        }
        now.set(until);
    }

    /** Tasks waiting to run (not cancelled). */
    synchronized int pending() {
        return (int) jobs.stream().filter(j -> !j.cancelled).count();
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Job j = new Job(now.get() + unit.toMillis(delay), command);
        jobs.add(j);
        return j;
    }

    @Override public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) { throw new UnsupportedOperationException(); }
    @Override public ScheduledFuture<?> scheduleAtFixedRate(Runnable c, long i, long p, TimeUnit u) { throw new UnsupportedOperationException(); }
    @Override public ScheduledFuture<?> scheduleWithFixedDelay(Runnable c, long i, long d, TimeUnit u) { throw new UnsupportedOperationException(); }
    @Override public synchronized void shutdown() { shutdown = true; }
    @Override public synchronized List<Runnable> shutdownNow() { shutdown = true; List<Runnable> r = new ArrayList<>(); jobs.forEach(j -> r.add(j.task)); jobs.clear(); return r; }
    @Override public synchronized boolean isShutdown() { return shutdown; }
    @Override public synchronized boolean isTerminated() { return shutdown; }
    @Override public boolean awaitTermination(long timeout, TimeUnit unit) { return true; }
    @Override public <T> Future<T> submit(Callable<T> task) { throw new UnsupportedOperationException(); }
    @Override public <T> Future<T> submit(Runnable task, T result) { throw new UnsupportedOperationException(); }
    @Override public Future<?> submit(Runnable task) { throw new UnsupportedOperationException(); }
    @Override public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) { throw new UnsupportedOperationException(); }
    @Override public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> t, long l, TimeUnit u) { throw new UnsupportedOperationException(); }
    @Override public <T> T invokeAny(Collection<? extends Callable<T>> tasks) { throw new UnsupportedOperationException(); }
    @Override public <T> T invokeAny(Collection<? extends Callable<T>> t, long l, TimeUnit u) { throw new UnsupportedOperationException(); }
    @Override public void execute(Runnable command) { throw new UnsupportedOperationException(); }
}
