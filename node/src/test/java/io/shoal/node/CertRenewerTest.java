package io.shoal.node;

import io.shoal.node.RenewalSchedule.Validity;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renewal scheduling on a fake clock and a fake timer: when each attempt runs, what a success and a
 * failure schedule next, and a certificate past its renewal window renewed at once.
 */
class CertRenewerTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** A clock the test moves, and a timer that runs tasks when the clock reaches them. */
    static final class FakeTime extends Clock implements CertRenewer.Timer {
        record Pending(Instant at, Runnable task) {}

        Instant now;
        final List<Pending> pending = new ArrayList<>();
        boolean closed;

        FakeTime(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public void schedule(Duration delay, Runnable task) {
            assertFalse(delay.isNegative(), "a negative delay");
            pending.add(new Pending(now.plus(delay), task));
        }

        @Override
        public void close() {
            closed = true;
            pending.clear();
        }

        /** Moves the clock to the single pending task and runs it; returns when it was due. */
        Instant runNext() {
            assertEquals(1, pending.size(), "exactly one attempt is scheduled at a time");
            Pending p = pending.remove(0);
            now = p.at().isAfter(now) ? p.at() : now;
            p.task().run();
            return p.at();
        }
    }

    static Validity lasting(Instant notBefore, Duration lifetime) {
        return new Validity(notBefore, notBefore.plus(lifetime));
    }

    static double fractionOf(Validity v, Instant at) {
        return (double) Duration.between(v.notBefore(), at).toNanos() / v.lifetime().toNanos();
    }

    @Test
    void attemptsFallBetweenHalfAndEightyPercentOfTheLifetime() {
        double min = 1;
        double max = 0;
        Validity v = lasting(T0, Duration.ofDays(90));
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            Instant at = RenewalSchedule.renewAt(v, random);
            double f = fractionOf(v, at);
            assertTrue(f >= 0.5 && f <= 0.8, "draw " + i + ": renewal at " + f + " of the lifetime");
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        // spread over the whole window, not bunched at one end
        assertTrue(min < 0.52 && max > 0.78, "renewal points span [" + min + ", " + max + "]");
    }

    @Test
    void eachSuccessSchedulesTheNextFromTheNewCertificate() {
        FakeTime time = new FakeTime(T0.plusSeconds(5));
        Duration life = Duration.ofMinutes(2);
        Deque<Instant> renewedAt = new ArrayDeque<>();
        CertRenewer r = new CertRenewer(lasting(T0, life), () -> {
            renewedAt.add(time.instant());
            return lasting(time.instant().minusSeconds(12), life);
        }, time, new Random(7), time);
        r.start();
        Validity v = lasting(T0, life);
        for (int i = 0; i < 20; i++) {
            Instant due = time.runNext();
            double f = fractionOf(v, due);
            assertTrue(f >= 0.5 && f <= 0.8, "attempt " + i + " at " + f + " of its certificate's lifetime");
            assertEquals(due, renewedAt.getLast());
            v = lasting(due.minusSeconds(12), life);
        }
        assertEquals(20, renewedAt.size());
    }

    @Test
    void failuresAreRetriedWithAGrowingBackoffUpToATwentiethOfTheLifetime() {
        FakeTime time = new FakeTime(T0);
        Duration life = Duration.ofMinutes(10); // backoff capped at 30 s
        int[] calls = {0};
        CertRenewer r = new CertRenewer(lasting(T0, life), () -> {
            calls[0]++;
            if (calls[0] <= 7) {
                throw new IllegalStateException("no manager answers");
            }
            return lasting(time.instant(), life);
        }, time, new Random(1), time);
        r.start();
        Instant first = time.runNext();
        List<Long> waits = new ArrayList<>();
        Instant prev = first;
        for (int i = 0; i < 7; i++) {
            Instant due = time.runNext();
            waits.add(Duration.between(prev, due).toSeconds());
            prev = due;
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L), waits);
        assertEquals(8, calls[0]);
        // after the success, the next attempt is in the new certificate's window again
        double f = fractionOf(lasting(prev, life), r.nextAttempt());
        assertTrue(f >= 0.5 && f <= 0.8, "next renewal at " + f);
    }

    @Test
    void aCertificatePastItsWindowIsRenewedAtOnce() {
        Duration life = Duration.ofDays(90);
        FakeTime time = new FakeTime(T0.plus(Duration.ofDays(85))); // the node was down for a long time
        int[] calls = {0};
        CertRenewer r = new CertRenewer(lasting(T0, life), () -> {
            calls[0]++;
            return lasting(time.instant(), life);
        }, time, new Random(3), time);
        r.start();
        assertTrue(r.nextAttempt().isBefore(time.instant()), "the renewal point is past");
        Instant now = time.instant();
        time.runNext();
        assertEquals(now, time.instant(), "the attempt ran without waiting");
        assertEquals(1, calls[0]);
    }

    @Test
    void closedRenewerAttemptsNothing() {
        FakeTime time = new FakeTime(T0);
        int[] calls = {0};
        CertRenewer r = new CertRenewer(lasting(T0, Duration.ofMinutes(2)), () -> {
            calls[0]++;
            return lasting(time.instant(), Duration.ofMinutes(2));
        }, time, new Random(3), time);
        r.start();
        List<FakeTime.Pending> kept = new ArrayList<>(time.pending);
        r.close();
        assertTrue(time.closed);
        kept.forEach(p -> p.task().run()); // a task that was already running when close() came
        assertEquals(0, calls[0]);
    }

    @Test
    void backoffStaysAtLeastASecondForTheShortestCertificates() {
        Validity minute = lasting(T0, Duration.ofMinutes(1));
        assertEquals(Duration.ofSeconds(1), RenewalSchedule.backoff(1, minute));
        assertEquals(Duration.ofSeconds(3), RenewalSchedule.backoff(5, minute));
        assertEquals(Duration.ofMinutes(5), RenewalSchedule.backoff(40, lasting(T0, Duration.ofDays(90))));
    }

    @Test
    void aRenewalAskedForNowRunsAtOnceAndReplacesTheScheduledOne() {
        FakeTime time = new FakeTime(T0.plusSeconds(5));
        Duration life = Duration.ofDays(90);
        List<Instant> renewedAt = new ArrayList<>();
        boolean[] due = {true};
        CertRenewer r = new CertRenewer(lasting(T0, life), () -> {
            renewedAt.add(time.instant());
            due[0] = false; // the new certificate is under the issuing root
            return lasting(time.instant(), life);
        }, time, new Random(7), time);
        r.start();
        r.renewNow(() -> due[0]);
        r.renewNow(() -> due[0]); // asked twice (two session messages): renewed once
        assertEquals(3, time.pending.size());
        CertRenewerTest.FakeTime.Pending scheduled = time.pending.remove(0);
        time.pending.remove(0).task().run();
        assertEquals(List.of(T0.plusSeconds(5)), renewedAt, "renewed at once");
        time.pending.remove(0).task().run();
        assertEquals(1, renewedAt.size(), "not again once it is no longer due");
        scheduled.task().run();
        assertEquals(1, renewedAt.size(), "the attempt scheduled for the old certificate is stale");
        Instant next = time.runNext();
        assertEquals(2, renewedAt.size());
        double f = fractionOf(lasting(T0.plusSeconds(5), life), next);
        assertTrue(f >= 0.5 && f <= 0.8, "the next renewal is scheduled from the new certificate: " + f);
        r.close();
    }
}
