package io.shoal.node;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdleTrimTest {
    private static final long MB = 1L << 20;
    private long now = 1_000_000;
    private final IdleTrim t = new IdleTrim(new IdleTrim.Settings(5_000, 2 * MB, 10, 8 * MB, 200), now);

    @Test
    void aQuietHeapWithRoomOverItsLiveDataIsTrimmedOnce() {
        t.fullCollectionEnded(60 * MB, now); // the burst's last full collection: 60 MB live, 90 MB committed (1.5x)
        now += 4_999;
        assertFalse(t.dueNow(now, 61 * MB, 90 * MB), "not quiet for 5 s yet");
        now += 1;
        assertTrue(t.dueNow(now, 61 * MB, 90 * MB), "60 MB live would leave 67 MB committed: 23 MB back");
        assertEquals(1, t.trims());
        t.fullCollectionEnded(60 * MB, now + 100); // the trim's own collection
        now += 10_000;
        assertFalse(t.dueNow(now, 60 * MB, 67 * MB), "trimmed: nothing more to give back");
        assertEquals(1, t.trims());
    }

    @Test
    void promotionsPastTheQuietGrowthStartTheWindowAgain() {
        t.fullCollectionEnded(60 * MB, now);
        now += 3_000;
        t.youngCollectionEnded(61 * MB, now); // 1 MB promoted: still quiet
        now += 2_000;
        assertTrue(t.dueNow(now, 61 * MB, 90 * MB), "5 s since the full collection, 1 MB promoted");

        IdleTrim busy = new IdleTrim(new IdleTrim.Settings(5_000, 2 * MB, 10, 8 * MB, 200), now);
        busy.fullCollectionEnded(60 * MB, now);
        now += 3_000;
        busy.youngCollectionEnded(63 * MB, now); // 3 MB promoted: a burst
        now += 2_000;
        assertFalse(busy.dueNow(now, 63 * MB, 90 * MB), "the window started again 2 s ago");
        busy.youngCollectionEnded(64 * MB, now); // 1 MB more since the new window's start
        now += 3_000;
        assertTrue(busy.dueNow(now, 64 * MB, 90 * MB), "5 s since the last promotion past 2 MB");
    }

    @Test
    void growthIsCountedFromTheWindowStartNotPerCollection() {
        t.fullCollectionEnded(60 * MB, now);
        for (int i = 1; i <= 3; i++) { // 1 MB a collection, a second apart: 3 MB over the window
            now += 1_000;
            t.youngCollectionEnded((60 + i) * MB, now);
        }
        now += 2_000; // 5 s since the full collection, but the window started again at the third
        assertFalse(t.dueNow(now, 63 * MB, 90 * MB));
        now += 3_000;
        assertTrue(t.dueNow(now, 63 * MB, 90 * MB));
    }

    @Test
    void notRightAfterACollection() {
        t.fullCollectionEnded(60 * MB, now);
        now += 10_000;
        t.collectionEnded(now - 150); // a young collection whose notification is not in yet, with nothing promoted
        assertFalse(t.dueNow(now, 60 * MB, 90 * MB), "150 ms after a collection, spacing 200");
        now += 50;
        assertTrue(t.dueNow(now, 60 * MB, 90 * MB));
    }

    @Test
    void notForAGainUnderTheMinimum() {
        t.fullCollectionEnded(60 * MB, now);
        now += 10_000;
        // 60 MB live at 10% free: 66.7 MB; 74 MB committed gives back 7.3 MB
        assertFalse(t.dueNow(now, 60 * MB, 74 * MB));
        assertTrue(t.dueNow(now, 60 * MB, 75 * MB), "8.3 MB back");
    }

    @Test
    void theEstimateTakesTheLesserOfTheLiveDataAndTheUse() {
        t.fullCollectionEnded(60 * MB, now);
        assertEquals((long) Math.ceil(60 * MB / 0.9), t.committedAfter(70 * MB), "garbage over the live data does not count");
        assertEquals((long) Math.ceil(50 * MB / 0.9), t.committedAfter(50 * MB), "the live data shrank since: at most what is used");
        IdleTrim fresh = new IdleTrim(new IdleTrim.Settings(5_000, 2 * MB, 10, 8 * MB, 200), now);
        assertEquals((long) Math.ceil(30 * MB / 0.9), fresh.committedAfter(30 * MB), "before any full collection: the use");
    }

    @Test
    void aFreshDaemonWaitsForItsFirstQuietWindowToo() {
        assertFalse(t.dueNow(now + 4_999, 10 * MB, 40 * MB));
        assertTrue(t.dueNow(now + 5_000, 10 * MB, 40 * MB), "28.9 MB back");
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new IdleTrim.Settings(0, 0, 10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new IdleTrim.Settings(1, 0, 100, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new IdleTrim.Settings(1, -1, 10, 0, 0));
    }
}
