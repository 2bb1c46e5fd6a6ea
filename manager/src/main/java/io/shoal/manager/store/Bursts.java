package io.shoal.manager.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Gathers the store changes that come together into one burst, for a reader that acts once per
 * burst instead of once per change (the leader's loops make one pass of it, the dispatcher wakes
 * each stream it concerns once): a burst ends when no change came for the quiet gap, or at the
 * latest the longest wait after its first change, and then takes what is queued already. So a
 * lone change waits the quiet gap and no more, and changes that never stop still end a burst
 * every longest wait: nothing starves.
 */
public final class Bursts {
    /** Where changes come from: the next one, or null when none came within the timeout. */
    public interface Source {
        StoreEvent poll(long timeoutMs) throws InterruptedException;
    }

    private final Source source;
    private final LongSupplier clock;
    private final long quietMs;
    private final long maxMs;

    /**
     * @param clock   milliseconds, for the burst's ends only (the source's waits are its own)
     * @param quietMs a burst ends after this long without a change
     * @param maxMs   and at the latest this long after its first change
     */
    public Bursts(Source source, LongSupplier clock, long quietMs, long maxMs) {
        this.source = source;
        this.clock = clock;
        this.quietMs = quietMs;
        this.maxMs = maxMs;
    }

    /** A burst gathered from a watch, on the monotonic clock. */
    public static Bursts of(Watch w, long quietMs, long maxMs) {
        return new Bursts(ms -> w.poll(ms, TimeUnit.MILLISECONDS), () -> System.nanoTime() / 1_000_000, quietMs, maxMs);
    }

    /** Waits up to {@code idleMs} for a change, then gathers its burst; empty when no change came. */
    public List<StoreEvent> next(long idleMs) throws InterruptedException {
        StoreEvent e = source.poll(idleMs);
        if (e == null) {
            return List.of();
        }
        List<StoreEvent> burst = new ArrayList<>();
        burst.add(e);
        long first = clock.getAsLong();
        long last = first;
        while (true) {
            long wait = Math.min(last + quietMs, first + maxMs) - clock.getAsLong();
            if (wait <= 0) {
                while ((e = source.poll(0)) != null) { // what is queued already belongs to it
                    burst.add(e);
                }
                return burst;
            }
            e = source.poll(wait);
            if (e == null) {
                return burst;
            }
            burst.add(e);
            last = clock.getAsLong();
        }
    }
}
