package io.shoal.cli.client;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A call's deadline: a thread that closes the connection when the deadline passes, which makes the
 * caller's blocked read fail at once. {@link #cancel} before the deadline and nothing is closed;
 * {@link #fired} tells the caller why its read failed.
 */
final class Watchdog extends Thread {
    private final Closeable target;
    private final long deadlineNanos;
    private boolean cancelled;
    private boolean fired;

    private Watchdog(Closeable target, long deadlineNanos) {
        super("shoal-deadline");
        setDaemon(true);
        this.target = target;
        this.deadlineNanos = deadlineNanos;
    }

    /** Starts a watchdog that closes {@code target} at {@code deadlineNanos} ({@link System#nanoTime()}). */
    static Watchdog start(Closeable target, long deadlineNanos) {
        Watchdog w = new Watchdog(target, deadlineNanos);
        w.start();
        return w;
    }

    @Override
    public void run() {
        synchronized (this) {
            try {
                long left;
                while (!cancelled && (left = deadlineNanos - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                return;
            }
            if (cancelled) {
                return;
            }
            fired = true;
        }
        try {
            target.close();
        } catch (IOException ignored) {
            // closing is all the watchdog does; the caller's read fails either way
        }
    }

    synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    synchronized boolean fired() {
        return fired;
    }
}
