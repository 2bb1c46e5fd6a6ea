package io.shoal.node;

import java.util.function.LongSupplier;

/**
 * When the daemon asks Serial GC for a full collection: the decision alone, fed the old
 * generation's use after each collection and the time from an injected clock ({@link HeapGuard}
 * feeds it the JVM's GC notifications).
 *
 * <p>Serial collects its old generation only when the heap reaches {@code -Xmx}: until then it
 * promotes into the old generation's uncommitted reserve, so a manager's dead tasks pile up there
 * and its RSS grows toward the maximum under churn (docs/node.md, "Memory under churn"). This
 * policy sizes the old generation from what it holds instead: the live data is what a full
 * collection leaves; once a young collection leaves the old generation above
 * {@code max(live * liveFactor, live + floor)} (at most the generation's maximum), a full
 * collection is due, and {@code -XX:MaxHeapFreeRatio} makes that collection give back what is over
 * the live data's share. Before the first full collection the live data counts as nothing.
 *
 * <p>Rate limit: a full collection is asked for at most once per {@code minInterval}, and not
 * before the last full collection's pause times {@code 1 / maxGcShare} has passed since it ended,
 * so that the full collections this policy asks for take at most that share of the time (5%: a
 * 150 ms pause allows the next after 3 s) whatever the allocation rate. A full collection that
 * Serial ran on its own counts as well (it measured the live data just as well).
 *
 * <p>Spacing: a full collection is not asked for right after the young one that found it due,
 * but {@code spacing} after the last collection of any kind ended: back to back, a young pause and
 * a full one add up (145 + 180 ms on a loaded leader), and the Raft leader stepped down after the
 * 325 ms without a heartbeat; spaced, the leader sends heartbeats between them. A collection due
 * during a wait is asked for once the wait is over: {@link #youngCollectionEnded} says when to
 * come back and {@link #askNow} whether to ask then.
 *
 * <p>Not thread-safe: the caller serializes the calls.
 */
final class HeapPolicy {
    /**
     * The policy's knobs.
     *
     * @param liveFactor the old generation may hold this many times the live data before a full collection
     * @param floorBytes and at least this much more than the live data (a small heap is not collected for nothing)
     * @param minIntervalMs the least time between two full collections asked for
     * @param maxGcShare the share of the time the asked full collections may take (0 &lt; share &lt;= 1)
     * @param spacingMs the least time between the end of any collection and a full one asked for
     */
    record Settings(double liveFactor, long floorBytes, long minIntervalMs, double maxGcShare, long spacingMs) {
        Settings {
            if (!(liveFactor >= 1.0) || floorBytes < 0 || minIntervalMs < 0 || !(maxGcShare > 0 && maxGcShare <= 1) || spacingMs < 0) {
                throw new IllegalArgumentException("heap policy: liveFactor >= 1, floor >= 0, minInterval >= 0, 0 < maxGcShare <= 1, "
                        + "spacing >= 0; got " + liveFactor + ", " + floorBytes + ", " + minIntervalMs + ", " + maxGcShare + ", " + spacingMs);
            }
        }
    }

    private final Settings settings;
    private final long maxOldBytes;
    private final LongSupplier clockMs;
    private long liveBytes;
    private long lastFullEndMs = Long.MIN_VALUE / 2;
    private long lastPauseMs;
    private long lastAskMs = Long.MIN_VALUE / 2;
    private long lastGcEndMs = Long.MIN_VALUE / 2;
    private boolean due;
    private long asked;

    /**
     * @param maxOldBytes the old generation's maximum (the target never passes it); {@code <= 0} when unknown
     * @param clockMs milliseconds of a monotonic clock
     */
    HeapPolicy(Settings settings, long maxOldBytes, LongSupplier clockMs) {
        this.settings = settings;
        this.maxOldBytes = maxOldBytes;
        this.clockMs = clockMs;
    }

    /**
     * A full collection ended at {@code endMs} (the clock's time), leaving {@code oldUsedAfter} bytes in the
     * old generation, after a pause of {@code pauseMs}: it is the live data, and a full collection waited for
     * is not due any more.
     */
    void fullCollectionEnded(long oldUsedAfter, long pauseMs, long endMs) {
        liveBytes = Math.max(0, oldUsedAfter);
        lastPauseMs = Math.max(0, pauseMs);
        lastFullEndMs = endMs;
        lastGcEndMs = Math.max(lastGcEndMs, endMs);
        due = false;
    }

    /**
     * A young collection ended at {@code endMs} (the clock's time), leaving {@code oldUsedAfter} bytes in
     * the old generation: {@code -1} when no full collection is due (or one is already waited for), else
     * in how many milliseconds to call {@link #askNow}.
     */
    long youngCollectionEnded(long oldUsedAfter, long endMs) {
        lastGcEndMs = Math.max(lastGcEndMs, endMs);
        if (due || oldUsedAfter <= targetBytes()) {
            return -1;
        }
        due = true;
        return waitMs(clockMs.getAsLong());
    }

    /** Some collection ended at {@code endMs}, as the collector's bean tells it (its notification may not be in yet). */
    void collectionEnded(long endMs) {
        lastGcEndMs = Math.max(lastGcEndMs, endMs);
    }

    /**
     * The wait for a due full collection is over: {@code 0} to ask for it now (counted as asked), else how
     * many more milliseconds to wait (a collection ended since, or the rate limit still holds); {@code -1}
     * when none is due any more (a full collection ran meanwhile).
     */
    long askNow() {
        if (!due) {
            return -1;
        }
        long now = clockMs.getAsLong();
        long wait = waitMs(now);
        if (wait > 0) {
            return wait;
        }
        due = false;
        lastAskMs = now;
        asked++;
        return 0;
    }

    /** How long from {@code now} until the rate limit and the spacing allow a full collection. */
    private long waitMs(long now) {
        long pauseWait = (long) Math.ceil(lastPauseMs / settings.maxGcShare());
        long at = Math.max(Math.max(lastAskMs, lastFullEndMs) + settings.minIntervalMs(), lastFullEndMs + pauseWait);
        at = Math.max(at, lastGcEndMs + settings.spacingMs());
        return Math.max(0, at - now);
    }

    /** The old generation's use above which a full collection is due. */
    long targetBytes() {
        long byFactor = (long) (liveBytes * settings.liveFactor());
        long target = Math.max(byFactor, liveBytes + settings.floorBytes());
        return maxOldBytes > 0 ? Math.min(target, maxOldBytes) : target;
    }

    /** The live data as the last full collection measured it (0 before the first). */
    long liveBytes() {
        return liveBytes;
    }

    /** How many full collections this policy asked for. */
    long asked() {
        return asked;
    }
}
