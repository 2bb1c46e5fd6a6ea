package io.shoal.node;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapPolicyTest {
    private static final long MB = 1L << 20;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final HeapPolicy p = new HeapPolicy(new HeapPolicy.Settings(1.5, 24 * MB, 1_000, 0.05, 200), 340 * MB, now::get);

    /** A young collection that ends now. */
    private long young(long oldUsed) {
        return p.youngCollectionEnded(oldUsed, now.get());
    }

    /** A full collection of {@code pauseMs} that ends now. */
    private void full(long live, long pauseMs) {
        p.fullCollectionEnded(live, pauseMs, now.get());
    }

    @Test
    void beforeAnyFullCollectionTheFloorIsTheTarget() {
        assertEquals(24 * MB, p.targetBytes());
        assertEquals(-1, young(24 * MB));
        assertEquals(200, young(24 * MB + 1), "due: asked for after the spacing");
    }

    @Test
    void theTargetIsTheLiveDataTimesTheFactorOrTheFloorOverIt() {
        full(60 * MB, 100);
        assertEquals(90 * MB, p.targetBytes(), "60 MB live: 1.5 x 60 = 90 > 60 + 24");
        full(20 * MB, 100);
        assertEquals(44 * MB, p.targetBytes(), "20 MB live: 20 + 24 = 44 > 1.5 x 20");
        full(300 * MB, 100);
        assertEquals(340 * MB, p.targetBytes(), "never past the old generation's maximum");
    }

    @Test
    void dueOnlyAboveTheTargetAndAskedAfterTheSpacing() {
        full(60 * MB, 50);
        now.addAndGet(10_000);
        assertEquals(-1, young(90 * MB));
        assertEquals(200, young(90 * MB + 1));
        assertEquals(-1, young(100 * MB), "already waited for: no second waiter");
        now.addAndGet(199);
        assertEquals(1, p.askNow(), "199 ms after the young collection");
        now.addAndGet(1);
        assertEquals(0, p.askNow());
        assertEquals(1, p.asked());
        assertEquals(-1, p.askNow(), "asked: not due any more");
    }

    @Test
    void aCollectionDuringTheWaitPushesTheFullOneBack() {
        full(60 * MB, 50);
        now.addAndGet(10_000);
        assertEquals(200, young(100 * MB));
        now.addAndGet(150);
        p.collectionEnded(now.get()); // a young collection whose notification is not in yet
        now.addAndGet(50);
        assertEquals(150, p.askNow(), "200 ms after that collection, not after the first");
        now.addAndGet(150);
        assertEquals(0, p.askNow());
    }

    @Test
    void waitsTheMinimumIntervalAfterAFullCollectionAndAfterAsking() {
        full(60 * MB, 10); // a 10 ms pause: the 1 s minimum rules
        assertEquals(1_000, young(200 * MB));
        now.addAndGet(1_000);
        assertEquals(0, p.askNow());
        now.addAndGet(500);
        assertEquals(500, young(200 * MB), "asked 500 ms ago, its collection not reported yet");
        now.addAndGet(500);
        assertEquals(0, p.askNow());
        assertEquals(2, p.asked());
    }

    @Test
    void aLongPauseHoldsTheNextFullCollectionBackToItsShareOfTheTime() {
        full(60 * MB, 150); // 150 ms at 5%: not before 3 s
        now.addAndGet(1_000);
        assertEquals(2_000, young(200 * MB));
        now.addAndGet(2_000);
        assertEquals(0, p.askNow());
    }

    @Test
    void aFullCollectionSerialRanOnItsOwnEndsTheWaitAndResetsTheLiveData() {
        full(60 * MB, 10);
        now.addAndGet(5_000);
        assertEquals(200, young(200 * MB));
        now.addAndGet(100);
        full(100 * MB, 10);
        assertEquals(-1, p.askNow(), "the full collection ran: not due any more");
        assertEquals(150 * MB, p.targetBytes());
        assertEquals(-1, young(149 * MB));
        assertEquals(0, p.asked());
    }

    /**
     * Steady promotion for {@code seconds}: a young collection every {@code youngEveryMs} leaves the old
     * generation always over the target, each full collection asked for takes 100 ms and leaves 60 MB; the
     * waiter comes back when the policy says. Returns how many full collections were asked for.
     */
    private int steadyPromotion(long youngEveryMs, int seconds) {
        full(60 * MB, 100); // at 5%, a 100 ms pause allows one full collection per 2 s at most
        int asked = 0;
        long askAt = -1;
        for (long t = 10; t <= seconds * 1_000L; t += 10) {
            now.addAndGet(10);
            if (askAt >= 0 && now.get() >= askAt) {
                long wait = p.askNow();
                askAt = wait > 0 ? now.get() + wait : -1;
                if (wait == 0) {
                    asked++;
                    full(60 * MB, 100);
                }
            }
            if (t % youngEveryMs == 0) {
                long wait = young(300 * MB);
                if (wait >= 0) {
                    askAt = now.get() + wait;
                }
            }
        }
        return asked;
    }

    @Test
    void steadyPromotionIsRateLimited() {
        int asked = steadyPromotion(250, 20);
        assertTrue(asked >= 8 && asked <= 10, "about one full collection per 2 s over 20 s, not " + asked);
    }

    @Test
    void youngCollectionsCloserThanTheSpacingHoldItBack() {
        assertEquals(0, steadyPromotion(20, 20), "no gap of 200 ms between young collections: no full collection");
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new HeapPolicy.Settings(0.9, 0, 0, 0.05, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeapPolicy.Settings(1.5, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeapPolicy.Settings(1.5, -1, 0, 0.05, 0));
        assertThrows(IllegalArgumentException.class, () -> new HeapPolicy.Settings(1.5, 0, 0, 0.05, -1));
    }
}
