package io.shoal.chaos.check;

import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static io.shoal.chaos.history.Outcome.FAILED;
import static io.shoal.chaos.history.Outcome.INDETERMINATE;
import static io.shoal.chaos.history.Outcome.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known-good and known-bad register histories (times in ms for legibility), and a randomized
 * comparison with a brute-force search over every order of small histories.
 */
class LinearizabilityTest {

    private static Op read(int p, long v, long from, long to) {
        return Op.read(p, "r", v, from * 1_000_000L, to * 1_000_000L, OK);
    }

    private static Op write(int p, long v, long from, long to, Outcome o) {
        return Op.write(p, "r", v, from * 1_000_000L, to * 1_000_000L, o);
    }

    private static Op cas(int p, long expected, long v, long from, long to, Outcome o) {
        return Op.cas(p, "r", expected, v, from * 1_000_000L, to * 1_000_000L, o);
    }

    private static Linearizability.Verdict check(Op... ops) {
        return Linearizability.checkRegister("r", List.of(ops), 0, Long.MAX_VALUE);
    }

    @Test
    void sequentialHistoryIsLinearizable() {
        var v = check(read(0, 0, 0, 1), write(0, 1, 2, 3, OK), cas(1, 1, 2, 4, 5, OK), read(2, 2, 6, 7));
        assertTrue(v.ok(), v.toString());
        assertEquals(4, v.ops());
    }

    @Test
    void overlappingOperationsMayTakeEitherOrder() {
        // the read overlaps both writes, so it may see either; the second read sees the write that came last
        var v = check(write(0, 1, 0, 10, OK), write(1, 2, 1, 9, OK), read(2, 1, 2, 8), read(2, 1, 11, 12));
        assertTrue(v.ok(), v.toString());
    }

    @Test
    void staleReadAfterAnAcknowledgedWriteIsNot() {
        var v = check(write(0, 1, 0, 1, OK), read(1, 0, 2, 3));
        assertEquals(Linearizability.Verdict.Result.NOT_LINEARIZABLE, v.result(), v.toString());
        assertTrue(v.detail().contains("read r -> 0"), v.detail());
    }

    @Test
    void readOfAValueNobodyWroteIsNot() {
        assertFalse(check(write(0, 1, 0, 1, OK), read(1, 7, 2, 3)).ok());
    }

    @Test
    void twoCompareAndSetsFromTheSameValueCannotBothSucceed() {
        var v = check(cas(0, 0, 1, 0, 5, OK), cas(1, 0, 2, 1, 6, OK));
        assertEquals(Linearizability.Verdict.Result.NOT_LINEARIZABLE, v.result());
        // with one of them refused it is fine: refused operations took no effect
        assertTrue(check(cas(0, 0, 1, 0, 5, OK), cas(1, 0, 2, 1, 6, FAILED)).ok());
    }

    @Test
    void readsMustNotGoBackInTime() {
        // a later read returns the older value although the earlier read already saw the newer one
        var v = check(write(0, 1, 0, 10, OK), read(1, 1, 1, 2), read(2, 0, 3, 4));
        assertFalse(v.ok(), v.toString());
    }

    @Test
    void anIndeterminateWriteMayHaveHappenedLongAfterItsClientGaveUp() {
        // the client timed out at 2; the write applied later and a read at 50 sees it
        assertTrue(check(write(0, 1, 0, 2, INDETERMINATE), read(1, 0, 3, 4), read(1, 1, 50, 51)).ok());
    }

    @Test
    void anIndeterminateWriteMayNeverHaveHappened() {
        assertTrue(check(write(0, 1, 0, 2, INDETERMINATE), read(1, 0, 3, 4), read(1, 0, 50, 51)).ok());
    }

    @Test
    void anIndeterminateWriteCannotHaveHappenedBeforeItsInvocation() {
        assertFalse(check(read(1, 1, 0, 1), write(0, 1, 2, 3, INDETERMINATE)).ok());
    }

    @Test
    void anIndeterminateWriteTakesEffectOnceAtMost() {
        // 1 was written once (indeterminate), then overwritten by 2: reading 1 again after that cannot be
        assertFalse(check(write(0, 1, 0, 1, INDETERMINATE), read(1, 1, 2, 3), write(1, 2, 4, 5, OK), read(1, 1, 6, 7)).ok());
    }

    @Test
    void aRefusedWriteTookNoEffect() {
        assertFalse(check(cas(0, 0, 1, 0, 1, FAILED), read(1, 1, 2, 3)).ok());
    }

    @Test
    void historiesAreCheckedPerRegister() {
        List<Op> h = List.of(Op.write(0, "a", 1, 0, 1, OK), Op.read(1, "b", 0, 2, 3, OK), Op.read(1, "a", 0, 4, 5, OK));
        var verdicts = Linearizability.check(h, 0, 10_000);
        assertEquals(2, verdicts.size());
        assertFalse(verdicts.get(0).ok(), verdicts.toString());
        assertTrue(verdicts.get(1).ok(), verdicts.toString());
    }

    @Test
    void manyConcurrentClientsOfALinearizableRegisterStayCheap() {
        // 8 clients, 2,000 operations: each applied atomically at a random instant inside its window
        Random rnd = new Random(7);
        List<Op> h = simulate(rnd, 8, 2000, false);
        var v = Linearizability.checkRegister("r", h, 0, System.nanoTime() + 20_000_000_000L);
        assertTrue(v.ok(), v.toString());
    }

    @Test
    void agreesWithABruteForceSearchOnRandomSmallHistories() {
        Random rnd = new Random(42);
        int bad = 0;
        for (int round = 0; round < 400; round++) {
            List<Op> h = simulate(rnd, 3, 7, true);
            boolean brute = BruteForce.linearizable(h, 0);
            var v = Linearizability.checkRegister("r", h, 0, Long.MAX_VALUE);
            assertEquals(brute, v.ok(), "round " + round + ": " + h);
            if (!brute) {
                bad++;
            }
        }
        // the mutations must produce both kinds, or the comparison proves little
        assertTrue(bad > 20 && bad < 380, "non-linearizable histories: " + bad);
    }

    /**
     * A register used by {@code clients} concurrently: each operation takes effect at one instant in
     * its window; with {@code mutate}, some reads return a wrong value and some outcomes are garbled.
     */
    private static List<Op> simulate(Random rnd, int clients, int total, boolean mutate) {
        long[] free = new long[clients];
        List<long[]> windows = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            int p = rnd.nextInt(clients);
            long start = free[p] + rnd.nextInt(3);
            long end = start + 1 + rnd.nextInt(6);
            long at = start + rnd.nextLong(end - start + 1);
            free[p] = end + 1;
            windows.add(new long[] {p, start, end, at * 4 + rnd.nextInt(4)});
        }
        List<long[]> byEffect = new ArrayList<>(windows);
        byEffect.sort((a, b) -> Long.compare(a[3], b[3]));
        List<Op> out = new ArrayList<>();
        long value = 0;
        long next = 1;
        for (long[] w : byEffect) {
            int p = (int) w[0];
            long from = w[1] * 1_000_000L;
            long to = w[2] * 1_000_000L;
            int kind = rnd.nextInt(3);
            if (kind == 0) {
                long seen = mutate && rnd.nextInt(6) == 0 ? rnd.nextLong(next) : value;
                out.add(Op.read(p, "r", seen, from, to, OK));
            } else if (kind == 1) {
                value = next++;
                Outcome o = mutate && rnd.nextInt(5) == 0 ? INDETERMINATE : OK;
                out.add(Op.write(p, "r", value, from, to, o));
            } else {
                long expected = rnd.nextBoolean() ? value : rnd.nextLong(next);
                boolean applies = expected == value;
                long nv = next++;
                if (applies) {
                    value = nv;
                }
                Outcome o = applies ? OK : FAILED;
                if (mutate && rnd.nextInt(6) == 0) {
                    o = applies ? FAILED : OK;
                }
                out.add(Op.cas(p, "r", expected, nv, from, to, o));
            }
        }
        Collections.shuffle(out, rnd);
        return out;
    }
}
