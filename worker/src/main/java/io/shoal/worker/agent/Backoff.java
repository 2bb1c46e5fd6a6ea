package io.shoal.worker.agent;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with equal jitter, for a worker's session attempts: the n-th wait is
 * drawn between half and all of {@code min * 2^n} (at most {@code max}). Without the jitter, the
 * workers of a manager that went away all came back in the same instants (every 100, 200, 400 ms,
 * ...), each wave a burst of TLS handshakes and session writes for the managers left; with it a
 * wave spreads over half its period, and no wait is shorter than half the plain one.
 */
public final class Backoff {
    private final Duration min;
    private final Duration max;
    private final DoubleSupplier random;
    private Duration base;

    /** @param random uniform in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble}; a seeded one in tests */
    public Backoff(Duration min, Duration max, DoubleSupplier random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff: need 0 < min <= max, got " + min + " and " + max);
        }
        this.min = min;
        this.max = max;
        this.random = random;
        this.base = min;
    }

    /** The next wait; each call doubles the base up to the cap. */
    public Duration next() {
        long plain = base.toNanos();
        base = base.multipliedBy(2).compareTo(max) > 0 ? max : base.multipliedBy(2);
        long half = plain / 2;
        return Duration.ofNanos(half + (long) (random.getAsDouble() * (plain - half)));
    }

    /** After a session that worked: the next failure waits little again. */
    public void reset() {
        base = min;
    }
}
