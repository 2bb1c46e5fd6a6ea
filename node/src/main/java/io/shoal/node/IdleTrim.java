package io.shoal.node;

/**
 * When a quiet daemon gives back the heap a burst left committed: the decision alone, fed the
 * collections' results and the time by the caller ({@link HeapGuard}, which then runs one full
 * collection with a tight {@code -XX:MaxHeapFreeRatio}).
 *
 * <p>During a burst (a deployment's tasks created, placed and reported) {@link HeapPolicy}'s full
 * collections keep the old generation near 1.5 times its live data and {@code MaxHeapFreeRatio=33}
 * leaves it that much committed: room for the burst's next promotions, so the burst is not
 * collected again and again. Once the burst is over that room only costs memory, and the young
 * generation, which Serial sizes from the old one, is half as large again. This is the analogue of
 * G1's periodic collection and of the JDK's uncommit at idle: once the old generation has grown by
 * less than {@code quietGrowthBytes} for {@code quietMs} (promotions are a burst's mark: a quiet
 * manager's young collections promote next to nothing), no collection ended in the last
 * {@code spacingMs}, and a collection leaving {@code freeRatio} percent free would give back at
 * least {@code minGainBytes} of the old generation, a trim is due. Its full collection measures the
 * live data again and starts a new quiet window, so a trimmed heap is trimmed again only after it
 * grew by {@code minGainBytes}.
 *
 * <p>The gain is estimated from the live data the last full collection measured, or the old
 * generation's use if that is less; a burst that grew the live data makes the estimate high, and
 * the trim then gives back less (the next estimate starts from what it measured).
 *
 * <p>Not thread-safe: the caller serializes the calls.
 */
final class IdleTrim {
    /**
     * The trim's knobs.
     *
     * @param quietMs how long the old generation must have grown by less than {@code quietGrowthBytes}
     * @param quietGrowthBytes the old generation's growth that still counts as quiet
     * @param freeRatio the free share, in percent, a trim leaves committed in the old generation (0-99)
     * @param minGainBytes the least the old generation must give back for a trim to be worth its pause
     * @param spacingMs the least time between the end of any collection and a trim
     */
    record Settings(long quietMs, long quietGrowthBytes, int freeRatio, long minGainBytes, long spacingMs) {
        Settings {
            if (quietMs <= 0 || quietGrowthBytes < 0 || freeRatio < 0 || freeRatio > 99 || minGainBytes < 0 || spacingMs < 0) {
                throw new IllegalArgumentException("idle trim: quiet > 0, growth >= 0, 0 <= free ratio <= 99, gain >= 0, spacing >= 0; got "
                        + quietMs + ", " + quietGrowthBytes + ", " + freeRatio + ", " + minGainBytes + ", " + spacingMs);
            }
        }
    }

    private final Settings settings;
    private long liveBytes = -1;
    private long windowStartMs;
    private long windowStartOldBytes;
    private long lastGcEndMs = Long.MIN_VALUE / 2;
    private long trims;

    /** @param startMs the clock's time now: the first quiet window starts here, with an empty old generation */
    IdleTrim(Settings settings, long startMs) {
        this.settings = settings;
        this.windowStartMs = startMs;
    }

    /** A full collection (a trim or any other) ended at {@code endMs}, leaving {@code oldUsedAfter}: the live data; a new window starts. */
    void fullCollectionEnded(long oldUsedAfter, long endMs) {
        liveBytes = Math.max(0, oldUsedAfter);
        windowStartMs = endMs;
        windowStartOldBytes = liveBytes;
        lastGcEndMs = Math.max(lastGcEndMs, endMs);
    }

    /** A young collection ended at {@code endMs}, leaving {@code oldUsedAfter}: a promotion past the quiet growth starts a new window. */
    void youngCollectionEnded(long oldUsedAfter, long endMs) {
        lastGcEndMs = Math.max(lastGcEndMs, endMs);
        if (oldUsedAfter - windowStartOldBytes > settings.quietGrowthBytes()) {
            windowStartMs = endMs;
            windowStartOldBytes = oldUsedAfter;
        }
    }

    /** Some collection ended at {@code endMs}, as the collector's bean tells it (its notification may not be in yet). */
    void collectionEnded(long endMs) {
        lastGcEndMs = Math.max(lastGcEndMs, endMs);
    }

    /**
     * Whether to trim now, with the old generation using {@code oldUsed} of {@code oldCommitted} bytes
     * (counted as a trim when so).
     */
    boolean dueNow(long nowMs, long oldUsed, long oldCommitted) {
        if (nowMs - windowStartMs < settings.quietMs() || nowMs - lastGcEndMs < settings.spacingMs()) {
            return false;
        }
        if (oldCommitted - committedAfter(oldUsed) < settings.minGainBytes()) {
            return false;
        }
        trims++;
        return true;
    }

    /** The old generation's committed size a trim would leave: the estimated live data with {@code freeRatio} percent free. */
    long committedAfter(long oldUsed) {
        long live = liveBytes < 0 ? oldUsed : Math.min(liveBytes, oldUsed);
        return (long) Math.ceil(live * 100.0 / (100 - settings.freeRatio()));
    }

    /** How many trims were due. */
    long trims() {
        return trims;
    }
}
