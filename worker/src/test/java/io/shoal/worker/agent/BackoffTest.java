package io.shoal.worker.agent;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {
    private static final Duration MIN = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(2);

    @Test
    void waitsDoubleUpToTheCapBetweenHalfAndAllOfThePlainWait() {
        Backoff low = new Backoff(MIN, MAX, () -> 0.0);
        Backoff high = new Backoff(MIN, MAX, () -> 0.999_999);
        long[] plain = {100, 200, 400, 800, 1600, 2000, 2000};
        for (long p : plain) {
            assertEquals(Duration.ofMillis(p / 2), low.next(), "the shortest wait is half the plain one");
            Duration h = high.next();
            assertTrue(h.compareTo(Duration.ofMillis(p)) < 0 && h.compareTo(Duration.ofMillis(p - 1)) >= 0, p + " ms: " + h);
        }
        low.reset();
        assertEquals(Duration.ofMillis(50), low.next(), "a session that worked starts the waits over");
    }

    @Test
    void workersThatFailTogetherComeBackSpreadOverHalfThePeriod() {
        // 1,000 workers lose their manager at once: their first retries no longer fall in one instant
        Random seeded = new Random(42);
        Set<Long> distinctMs = new HashSet<>();
        long lo = Long.MAX_VALUE;
        long hi = 0;
        for (int w = 0; w < 1000; w++) {
            Backoff b = new Backoff(MIN, MAX, seeded::nextDouble);
            b.next();
            b.next();
            long third = b.next().toMillis(); // plain: 400 ms
            distinctMs.add(third);
            lo = Math.min(lo, third);
            hi = Math.max(hi, third);
        }
        assertTrue(lo >= 200 && hi < 400, lo + ".." + hi);
        assertTrue(distinctMs.size() > 150 && hi - lo > 180, "spread over ~200 ms: " + distinctMs.size() + " distinct, " + lo + ".." + hi);
    }

    @Test
    void aBackoffThatCouldNeverWaitIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, MAX, () -> 0.5));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(MAX, MIN, () -> 0.5));
    }
}
