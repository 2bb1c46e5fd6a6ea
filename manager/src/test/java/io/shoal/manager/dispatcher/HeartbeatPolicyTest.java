package io.shoal.manager.dispatcher;

import io.shoal.api.ClusterSpec;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heartbeat period and down-after as a function of the cluster's settings, the fleet and the policy before. */
class HeartbeatPolicyTest {
    private static final Duration PERIOD = Duration.ofMillis(500);
    private static final Duration DOWN_AFTER = Duration.ofMillis(2000);
    private final HeartbeatPolicy start = HeartbeatPolicy.of(PERIOD, DOWN_AFTER);

    @Test
    void withoutAClusterObjectTheDefaultsHold() {
        HeartbeatPolicy p = start.next(null, PERIOD, DOWN_AFTER, 3, 1_000);
        assertEquals(500, p.periodMs());
        assertEquals(2000, p.downAfterMs(1_000));
        assertEquals(250, p.tickMs());
    }

    @Test
    void theClusterObjectsPeriodWinsAndDownAfterIsFourPeriods() {
        HeartbeatPolicy p = start.next(ClusterSpec.newBuilder().setHeartbeatPeriodMs(1_000).build(), PERIOD, DOWN_AFTER, 3, 1_000);
        assertEquals(1_000, p.periodMs());
        assertEquals(4_000, p.downAfterMs(1_000));
    }

    @Test
    void aBigFleetHeartbeatsLessOften() {
        HeartbeatPolicy p = start.next(null, PERIOD, DOWN_AFTER, 100, 0);
        assertEquals(500, p.periodMs(), "100 nodes at 500 ms are 200 heartbeats a second: no stretch");
        assertEquals(2_000, p.downAfterMs(0));
        p = start.next(null, PERIOD, DOWN_AFTER, 101, 0);
        assertEquals(1_000, p.periodMs(), "beyond, whole seconds: 200 heartbeats a second at most");
        assertEquals(4_000, p.downAfterMs(0));
        p = start.next(null, PERIOD, DOWN_AFTER, 401, 0);
        assertEquals(3_000, p.periodMs());
        p = start.next(null, PERIOD, DOWN_AFTER, 1_000, 0);
        assertEquals(5_000, p.periodMs(), "1,000 nodes: swarm mode's 5 s");
        assertEquals(20_000, p.downAfterMs(0));
        p = start.next(null, PERIOD, DOWN_AFTER, 5_000, 0);
        assertEquals(5_000, p.periodMs(), "never stretched beyond 5 s: Down within 20 s at any size");
        assertEquals(20_000, p.downAfterMs(0));
        p = start.next(ClusterSpec.newBuilder().setHeartbeatPeriodMs(10_000).build(), PERIOD, DOWN_AFTER, 5_000, 0);
        assertEquals(10_000, p.periodMs(), "a longer period the cluster sets holds");
        assertEquals(40_000, p.downAfterMs(0));
    }

    @Test
    void aShrinkingDownAfterKeepsTheLongerOneForTwoOldPeriods() {
        HeartbeatPolicy big = start.next(null, PERIOD, DOWN_AFTER, 500, 0);
        assertEquals(3_000, big.periodMs());
        HeartbeatPolicy small = big.next(null, PERIOD, DOWN_AFTER, 1, 100_000);
        assertEquals(500, small.periodMs(), "workers are told the short period at once");
        assertEquals(12_000, small.downAfterMs(100_000), "but judged by the long down-after");
        assertEquals(12_000, small.downAfterMs(105_999));
        assertEquals(2_000, small.downAfterMs(106_000), "for two of the old 3 s periods");
        HeartbeatPolicy again = small.next(null, PERIOD, DOWN_AFTER, 2, 101_000);
        assertEquals(12_000, again.downAfterMs(105_999), "an unrelated refresh keeps the grace");
    }

    @Test
    void aNodeHeardOfThroughAFollowerGetsOnePeriodMore() {
        HeartbeatPolicy p = start.next(null, PERIOD, DOWN_AFTER, 3, 0);
        assertFalse(p.overdue(10_000, 8_000, false), "silent exactly down-after");
        assertTrue(p.overdue(10_001, 8_000, false));
        assertFalse(p.overdue(10_500, 8_000, true), "a follower's report comes up to a period later");
        assertTrue(p.overdue(10_501, 8_000, true));
    }
}
