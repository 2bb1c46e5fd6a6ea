package io.shoal.worker.agent;

import io.shoal.api.SessionMessage;
import io.shoal.api.WeightedPeer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's session decisions on a clock the test sets. */
class SessionRulesTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aReportAnsweredWithinThePeriodStandsForTheHeartbeat() {
        long now = 10_000 * MS;
        assertTrue(SessionRules.beatDue(now, now - 500 * MS, 500), "the report is a period old");
        assertFalse(SessionRules.beatDue(now, now - 499 * MS, 500));
    }

    @Test
    void aSessionEndsAfterTwoSilentPeriodsAndNeverBeforeASecond() {
        long now = 10_000 * MS;
        assertNull(SessionRules.silence(now, now - 1_000 * MS, 0, 500), "two periods are a second: not more");
        assertEquals("no heartbeat answer for 1001 ms", SessionRules.silence(now, now - 1_001 * MS, 0, 500));
        assertNull(SessionRules.silence(now, now - 1_000 * MS, 0, 100), "a short period still waits a second");
        assertNull(SessionRules.silence(now, now - 5_000 * MS, now - 10 * MS, 500), "an answered report keeps it alive");
        assertEquals("no heartbeat answer for 5001 ms", SessionRules.silence(now, now - 5_001 * MS, 0, 2_500));
    }

    @Test
    void theManagerListFollowsSessionMessagesThatNameManagers() {
        List<String> now = List.of("10.0.0.1:4242");
        assertEquals(now, SessionRules.managers(SessionMessage.getDefaultInstance(), now), "none named: keep the list");
        SessionMessage m = SessionMessage.newBuilder()
                .addManagers(WeightedPeer.newBuilder().setNodeId("a").setAddr("10.0.0.2:4242"))
                .addManagers(WeightedPeer.newBuilder().setNodeId("b").setAddr(""))
                .addManagers(WeightedPeer.newBuilder().setNodeId("c").setAddr("10.0.0.3:4242")).build();
        assertEquals(List.of("10.0.0.2:4242", "10.0.0.3:4242"), SessionRules.managers(m, now), "addresses only, in order");
    }

    @Test
    void sessionsRotateOverTheManagersAndAManagersWorkerGoesHomeEveryOtherTime() {
        List<String> three = List.of("m1", "m2", "m3");
        SessionRules.Rotation worker = new SessionRules.Rotation("w1", 1);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(worker.next(three));
        }
        assertEquals(List.of("m2", "m3", "m1", "m2"), seen, "from a random start, in turn");
        SessionRules.Rotation manager = new SessionRules.Rotation("m3", 0);
        seen.clear();
        for (int i = 0; i < 4; i++) {
            seen.add(manager.next(three));
        }
        assertEquals(List.of("m3", "m2", "m3", "m1"), seen, "home first, then every other attempt");
    }
}
