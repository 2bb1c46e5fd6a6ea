package io.shoal.manager.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How changes are gathered into bursts, on a test's clock: the source moves it as it waits. */
class BurstsTest {
    private static final long QUIET_MS = 2;
    private static final long MAX_MS = 10;
    private final AtomicLong now = new AtomicLong(1_000);

    /** Changes due at given times; a poll waits (moves the clock) until the next one is due or its timeout passed. */
    private final class Scripted implements Bursts.Source {
        private final Deque<long[]> due = new ArrayDeque<>();
        private long made;

        Scripted at(long... times) {
            for (long t : times) {
                due.add(new long[] {t});
            }
            return this;
        }

        @Override
        public StoreEvent poll(long timeoutMs) {
            long[] next = due.peek();
            if (next == null || next[0] > now.get() + timeoutMs) {
                now.addAndGet(timeoutMs);
                return null;
            }
            due.poll();
            now.set(Math.max(now.get(), next[0]));
            return new StoreEvent(StoreEvent.Type.UPDATE, ++made, null, null);
        }
    }

    private static List<Long> indexes(List<StoreEvent> burst) {
        return burst.stream().map(StoreEvent::index).toList();
    }

    @Test
    void aLoneChangeEndsItsBurstAfterTheQuietGap() throws Exception {
        Scripted src = new Scripted().at(1_500, 1_600);
        Bursts bursts = new Bursts(src, now::get, QUIET_MS, MAX_MS);
        assertEquals(List.of(1L), indexes(bursts.next(1_000)));
        assertEquals(1_500 + QUIET_MS, now.get(), "a lone change waits the quiet gap, no more");
        assertEquals(List.of(2L), indexes(bursts.next(1_000)));
        assertEquals(List.of(), bursts.next(1_000), "nothing more: empty after the idle wait");
    }

    @Test
    void changesCloserThanTheQuietGapGoTogether() throws Exception {
        Scripted src = new Scripted().at(1_000, 1_001, 1_003, 1_004, 1_010);
        Bursts bursts = new Bursts(src, now::get, QUIET_MS, MAX_MS);
        assertEquals(List.of(1L, 2L, 3L, 4L), indexes(bursts.next(1_000)));
        assertEquals(1_004 + QUIET_MS, now.get());
        assertEquals(List.of(5L), indexes(bursts.next(1_000)), "the gap of 6 ms ended the first burst");
    }

    @Test
    void changesThatNeverStopStillEndABurstEveryMaxMs() throws Exception {
        long[] times = new long[100];
        for (int i = 0; i < times.length; i++) {
            times[i] = 1_000 + i; // one a millisecond, for 100 ms
        }
        Scripted src = new Scripted().at(times);
        Bursts bursts = new Bursts(src, now::get, QUIET_MS, MAX_MS);
        int seen = 0;
        int count = 0;
        while (seen < times.length) {
            List<StoreEvent> burst = bursts.next(1_000);
            long first = times[seen];
            seen += burst.size();
            count++;
            long last = times[seen - 1];
            assertEquals(true, last - first <= MAX_MS, "a burst spans at most MAX_MS: " + first + ".." + last);
        }
        assertEquals(true, count >= times.length / (MAX_MS + 1), "bursts: " + count);
    }

    @Test
    void changesAlreadyQueuedAreTakenAtOnce() throws Exception {
        Scripted src = new Scripted().at(1_000, 1_000, 1_000, 1_000);
        Bursts bursts = new Bursts(src, now::get, QUIET_MS, MAX_MS);
        assertEquals(4, bursts.next(1_000).size());
    }
}
