package io.shoal.manager.raft;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberRecoveryTest {
    /** A member whose failure, removal and starts the test sets; records what the recovery asked. */
    static final class FakeMember implements MemberRecovery.Member {
        String failure;
        boolean removed;
        int failStarts;
        final List<String> calls = new ArrayList<>();

        @Override
        public String failure() {
            return failure;
        }

        @Override
        public boolean removedFromGroup() {
            return removed;
        }

        @Override
        public void stop() {
            calls.add("stop");
        }

        @Override
        public void startAgain() throws IOException {
            if (failStarts > 0) {
                failStarts--;
                calls.add("start failed");
                throw new IOException("cannot start");
            }
            calls.add("start");
            failure = null;
        }
    }

    private final FakeMember member = new FakeMember();
    private long now = TimeUnit.HOURS.toNanos(1);
    private long room = Long.MAX_VALUE;
    private final MemberRecovery recovery = new MemberRecovery("m1", "/data/raft", member, () -> now, () -> room);

    private void advanceMs(long ms) {
        now += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void aWorkingMemberIsLeftAlone() {
        recovery.check();
        recovery.check();
        assertEquals(List.of(), member.calls);
        assertFalse(recovery.down());
    }

    @Test
    void aFailedMemberIsStoppedAndStartedAgainAtOnce() {
        member.failure = "its log is closed after a failed write";
        recovery.check();
        assertEquals(List.of("stop", "start"), member.calls);
        assertFalse(recovery.down());
    }

    @Test
    void failedStartsBackOffTwoFourEightThenTenSeconds() {
        member.failure = "a log write failed";
        member.failStarts = 5;
        recovery.check();
        assertEquals(List.of("stop", "start failed"), member.calls);
        assertTrue(recovery.down());
        long[] pauses = {2_000, 4_000, 8_000, 10_000, 10_000};
        for (long pause : pauses) {
            int before = member.calls.size();
            advanceMs(pause - 1);
            recovery.check();
            assertEquals(before, member.calls.size(), "no attempt before " + pause + " ms");
            advanceMs(1);
            recovery.check();
            assertEquals(before + 1, member.calls.size(), "an attempt after " + pause + " ms");
        }
        assertEquals("start", member.calls.getLast());
        assertFalse(recovery.down());
    }

    @Test
    void aMemberWaitsForRoomBeforeItStarts() {
        member.failure = "a log write failed: No space left on device";
        room = MemberRecovery.ROOM_TO_START - 1;
        recovery.check();
        advanceMs(60_000);
        recovery.check();
        assertEquals(List.of("stop"), member.calls, "no start on a full disk");
        room = MemberRecovery.ROOM_TO_START;
        recovery.check();
        assertEquals(List.of("stop", "start"), member.calls);
    }

    @Test
    void aMemberThatFailsAgainRightAfterAStartBacksOffButOneStableFor30sDoesNot() {
        member.failure = "x";
        recovery.check();
        member.failure = "x again";
        advanceMs(1_000);
        recovery.check();
        assertEquals(List.of("stop", "start", "stop"), member.calls, "failed again within 30 s: waits");
        advanceMs(2_000);
        recovery.check();
        assertEquals("start", member.calls.getLast());
        advanceMs(31_000);
        member.failure = "much later";
        recovery.check();
        assertEquals(List.of("stop", "start", "stop", "start", "stop", "start"), member.calls, "stable for 30 s: at once");
    }

    @Test
    void aMemberRatisShutDownBecauseItLeftTheGroupIsNotStartedAgain() {
        member.failure = "it stopped (CLOSED)";
        member.removed = true;
        recovery.check();
        advanceMs(60_000);
        recovery.check();
        assertEquals(List.of("stop"), member.calls);
        assertTrue(recovery.down());
    }
}
