package io.shoal.manager.network;

import io.shoal.manager.network.KeyRotation.Key;
import io.shoal.manager.network.KeyRotation.Step;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rotation sequence on a fake clock: the keys a network holds, the time, the step. */
class KeyRotationTest {
    private static final Duration PERIOD = Duration.ofHours(12);
    private static final long H = 3_600_000L;

    @Test
    void aNewNetworksFirstKeyGetsASuccessorAtOnce() {
        assertEquals(new Step.Stage(), KeyRotation.next(List.of(new Key(1, true, 0)), 0, PERIOD));
        assertEquals(new Step.First(), KeyRotation.next(List.of(), 0, PERIOD), "no key at all: one senders use at once");
    }

    @Test
    void theNextKeyIsPromotedOnePeriodAfterItWasMadeAndNotBefore() {
        List<Key> keys = List.of(new Key(1, true, 0), new Key(2, false, 5));
        assertEquals(new Step.Wait(5 + 12 * H), KeyRotation.next(keys, 12 * H, PERIOD), "one period after the next key, not the first");
        assertEquals(new Step.Wait(5 + 12 * H), KeyRotation.next(keys, 5 + 12 * H - 1, PERIOD));
        assertEquals(new Step.Rotate(2, 1), KeyRotation.next(keys, 5 + 12 * H, PERIOD));
        assertEquals(new Step.Rotate(2, 1), KeyRotation.next(keys, 40 * H, PERIOD), "late (no leader for a while): at once");
    }

    @Test
    void aRetiringKeyIsNotTakenForTheNextOne() {
        List<Key> keys = List.of(new Key(1, false, 0), new Key(2, true, 10), new Key(3, false, 20));
        assertEquals(new Step.Rotate(3, 2), KeyRotation.next(keys, 20 + 12 * H, PERIOD));
        assertEquals(new Step.Stage(), KeyRotation.next(List.of(new Key(1, false, 0), new Key(2, true, 10)), 11, PERIOD),
                "the older key only opens: the primary has no successor yet");
    }

    @Test
    void theWholeSequenceOverThreeDaysHoldsItsInvariants() {
        // apply each step as the loop does, every minute for three days
        List<Key> keys = new ArrayList<>(List.of(new Key(100, true, 0)));
        List<Integer> primaries = new ArrayList<>();
        int nextId = 101;
        long promotedAt = 0;
        for (long now = 0; now <= 72 * H; now += 60_000) {
            Step s = KeyRotation.next(keys, now, PERIOD);
            switch (s) {
                case Step.Wait w -> assertTrue(w.dueMs() > now);
                case Step.First f -> throw new AssertionError("a primary is always held");
                case Step.Stage st -> keys.add(new Key(nextId++, false, now));
                case Step.Rotate r -> {
                    Key promoted = keys.stream().filter(k -> k.id() == r.promote()).findFirst().orElseThrow();
                    assertTrue(now - promoted.createdMs() >= PERIOD.toMillis(), "held by every node for a whole period first");
                    List<Key> after = new ArrayList<>();
                    for (Key k : keys) {
                        if (k.id() == r.retire()) {
                            after.add(new Key(k.id(), false, k.createdMs()));
                        } else if (k.id() == r.promote()) {
                            after.add(new Key(k.id(), true, k.createdMs()));
                        }
                    }
                    after.add(new Key(nextId++, false, now));
                    keys = after;
                    assertTrue(now - promotedAt >= PERIOD.toMillis(), "at most one rotation per period");
                    promotedAt = now;
                }
            }
            assertEquals(1, keys.stream().filter(Key::primary).count(), "one primary at " + now);
            assertTrue(keys.size() <= 3, "retiring, primary, next: " + keys);
            int p = keys.stream().filter(Key::primary).findFirst().orElseThrow().id();
            if (primaries.isEmpty() || primaries.getLast() != p) {
                primaries.add(p);
            }
        }
        // 12 h period over 72 h (both ends included): the first key, then one new primary every 12 h
        assertEquals(List.of(100, 101, 102, 103, 104, 105, 106), primaries);
        assertFalse(keys.stream().anyMatch(k -> k.id() == 100), "the first key is dropped");
        assertInstanceOf(Step.Wait.class, KeyRotation.next(keys, 72 * H, PERIOD));
    }
}
