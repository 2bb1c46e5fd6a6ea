package io.shoal.manager.raft;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogStallTest {
    private long now;
    private final LogStall stall = new LogStall(Duration.ofSeconds(20), () -> now);

    private void advance(int seconds) {
        now += Duration.ofSeconds(seconds).toNanos();
    }

    @Test
    void aFollowerThatCommitsNothingBehindItsLeaderIsStalledAfterTheThreshold() {
        assertNull(stall.check(true, 140_007, 140_514));
        advance(19);
        assertNull(stall.check(true, 140_007, 140_600));
        advance(1);
        String why = stall.check(true, 140_007, 140_700);
        assertNotNull(why);
        assertTrue(why.contains("index 140007") && why.contains("140700") && why.contains("20 s"), why);
    }

    @Test
    void aMemberThatHasCommittedNothingYetIsCountedFromItsFirstLook() {
        now = Duration.ofHours(6).toNanos();
        assertNull(stall.check(true, -1, 0));
        advance(19);
        assertNull(stall.check(true, -1, 0));
        advance(1);
        assertNotNull(stall.check(true, -1, 0));
    }

    @Test
    void aFollowerThatCommitsIsNotStalled() {
        for (int i = 0; i < 10; i++) {
            assertNull(stall.check(true, 100 + i, 10_000));
            advance(15);
        }
    }

    @Test
    void aFollowerThatHasEverythingItsLeaderCommittedIsNotStalled() {
        for (int i = 0; i < 5; i++) {
            assertNull(stall.check(true, 500, 500));
            advance(30);
        }
    }

    @Test
    void aMemberThatDoesNotFollowStartsCountingAgain() {
        assertNull(stall.check(true, 10, 50));
        advance(15);
        assertNull(stall.check(false, 10, 50)); // a leader, or a follower without a leader
        advance(15);
        assertNull(stall.check(true, 10, 50));
        advance(19);
        assertNull(stall.check(true, 10, 50));
        advance(1);
        assertNotNull(stall.check(true, 10, 50));
    }
}
