package io.shoal.node;

import io.shoal.node.RenewalSchedule.Validity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.random.RandomGenerator;

/**
 * Renews the node's certificate by itself, for as long as the node is in its cluster: one attempt
 * at the time {@link RenewalSchedule} picks for the current certificate, then the next for the
 * certificate that attempt brought; a failed attempt is retried after a growing backoff. The time
 * source, the random source and the timer are injected, so the schedule is tested on a fake clock.
 */
final class CertRenewer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertRenewer.class);

    /** One renewal: asks the CA, installs the result, and returns its validity; throws when it failed. */
    @FunctionalInterface
    interface Renewal {
        Validity renew() throws Exception;
    }

    /** Runs a task once after a delay. */
    interface Timer extends AutoCloseable {
        void schedule(Duration delay, Runnable task);

        @Override
        void close();
    }

    private final Renewal renewal;
    private final Clock clock;
    private final RandomGenerator random;
    private final Timer timer;
    private final Object lock = new Object();
    private Validity current;
    private Instant next;
    private int failures;
    private boolean closed;
    /** grows with every schedule: an attempt of an older one is stale (a renewal ran early meanwhile) */
    private long generation;

    CertRenewer(Validity current, Renewal renewal, Clock clock, RandomGenerator random, Timer timer) {
        this.current = current;
        this.renewal = renewal;
        this.clock = clock;
        this.random = random;
        this.timer = timer;
    }

    /** Schedules the first renewal of the current certificate. */
    void start() {
        synchronized (lock) {
            scheduleFor(current);
        }
    }

    /** When the next attempt is due (for tests and logs). */
    Instant nextAttempt() {
        synchronized (lock) {
            return next;
        }
    }

    /**
     * Renews at once rather than at the scheduled time, if {@code due} still says so when the timer
     * runs it (a root rotation: the certificate was issued under another root than the cluster's
     * issuing one). Asking again while one is due is harmless: {@code due} is false after it.
     */
    void renewNow(BooleanSupplier due) {
        timer.schedule(Duration.ZERO, () -> {
            long gen;
            synchronized (lock) {
                if (closed || !due.getAsBoolean()) {
                    return;
                }
                gen = ++generation;
                failures = 0;
                next = clock.instant();
            }
            attempt(gen);
        });
    }

    private void scheduleFor(Validity v) {
        current = v;
        failures = 0;
        next = RenewalSchedule.renewAt(v, random);
        Duration wait = RenewalSchedule.until(clock.instant(), next);
        LOG.info("the node certificate (valid until {}) will be renewed in {}s", v.notAfter(), wait.toSeconds());
        long gen = ++generation;
        timer.schedule(wait, () -> attempt(gen));
    }

    private void attempt(long gen) {
        synchronized (lock) {
            if (closed || gen != generation) {
                return;
            }
            try {
                Validity renewed = renewal.renew();
                LOG.info("renewed the node certificate: now valid until {}", renewed.notAfter());
                scheduleFor(renewed);
            } catch (Exception e) {
                failures++;
                Duration wait = RenewalSchedule.backoff(failures, current);
                next = clock.instant().plus(wait);
                LOG.warn("renewing the node certificate failed ({}); retrying in {} ms (it is valid until {})",
                        e.getMessage(), wait.toMillis(), current.notAfter());
                timer.schedule(wait, () -> attempt(gen));
            }
        }
    }

    /** Stops renewing; waits for an attempt under way to finish, so none runs after this returns. */
    @Override
    public void close() {
        timer.close();
        synchronized (lock) {
            closed = true;
        }
    }

    /** A timer on one daemon thread. */
    static Timer threadTimer(String name) {
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        return new Timer() {
            @Override
            public void schedule(Duration delay, Runnable task) {
                if (!exec.isShutdown()) {
                    exec.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
                }
            }

            @Override
            public void close() {
                exec.shutdownNow();
            }
        };
    }
}
