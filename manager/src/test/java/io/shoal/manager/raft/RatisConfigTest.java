package io.shoal.manager.raft;

import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Ratis properties that Shoal sets on purpose, checked through Ratis' own parsing. */
class RatisConfigTest {

    /**
     * After any number of errors in a row, the leader tries a follower again within its election
     * timeout, so a follower that is back (restarted, healed, or answering INCONSISTENCY) hears the
     * leader before it calls an election. Ratis' default waits 1 s after 10 errors and 5 s after 30.
     */
    @Test
    void theLeaderTriesAFollowerAgainWithinTheElectionTimeoutAfterAnyNumberOfErrors() {
        for (Duration min : new Duration[] {RaftSettings.DEFAULT_ELECTION_TIMEOUT, Duration.ofSeconds(3)}) {
            RaftProperties p = RatisConfig.properties(settings(min));
            RetryPolicy policy = RetryPolicy.parse(RaftServerConfigKeys.Log.Appender.retryPolicy(p),
                    RaftServerConfigKeys.Log.Appender.RETRY_POLICY_KEY);
            for (int errors : new int[] {1, 10, 11, 30, 31, 1_030, 1_031, 1_000_000, Integer.MAX_VALUE - 1}) {
                for (int draw = 0; draw < 50; draw++) {
                    RetryPolicy.Action action = policy.handleAttemptFailure(() -> errors);
                    assertTrue(action.shouldRetry(), "no retry after " + errors + " errors (" + policy + ")");
                    TimeDuration sleep = action.getSleepTime();
                    assertTrue(sleep.toLong(TimeUnit.MILLISECONDS) < min.toMillis() / 2 + 1,
                            "waits " + sleep + " after " + errors + " errors, election timeout " + min + " (" + policy + ")");
                }
            }
        }
    }

    /**
     * The log entries Ratis keeps in memory, the open segment's and those of the closed segments it
     * caches, stay within 8 MB whichever bound Ratis reaches first (its default: 6 segments of 32 MB,
     * capped at 200 MB), and a segment is not larger than that bound.
     */
    @Test
    void theRaftLogCachesAtMostEightMegabytesOfEntries() {
        RaftProperties p = RatisConfig.properties(settings(RaftSettings.DEFAULT_ELECTION_TIMEOUT));
        long segment = RaftServerConfigKeys.Log.segmentSizeMax(p).getSize();
        long bySegments = (RaftServerConfigKeys.Log.segmentCacheNumMax(p) + 1L) * segment;
        long bySize = RaftServerConfigKeys.Log.segmentCacheSizeMax(p).getSize() + segment;
        long cached = Math.min(bySegments, bySize);
        assertTrue(cached <= 8L << 20, "up to " + cached + " bytes of entries cached (" + segment + "-byte segments)");
        assertTrue(segment <= RaftServerConfigKeys.Log.segmentCacheSizeMax(p).getSize(), "a segment larger than the cache bound");
    }

    /**
     * A member that stepped down for lost heartbeats may call an election as soon as any follower
     * could: with Ratis' default (10 s) it could not, and when it held the longest log no member was
     * elected until the 10 s were over.
     */
    @Test
    void aLeaderThatSteppedDownMayCampaignWithinTheElectionTimeout() {
        for (Duration min : new Duration[] {RaftSettings.DEFAULT_ELECTION_TIMEOUT, Duration.ofSeconds(3)}) {
            RaftProperties p = RatisConfig.properties(settings(min));
            assertTrue(RaftServerConfigKeys.LeaderElection.preVote(p), "pre-vote keeps a stale member from disrupting");
            TimeDuration wait = RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(p);
            assertTrue(wait.toLong(TimeUnit.MILLISECONDS) <= min.toMillis(),
                    "a stepped-down leader waits " + wait + " before it may campaign, election timeout " + min);
        }
    }

    private static RaftSettings settings(Duration electionTimeoutMin) {
        return new RaftSettings("m1", "127.0.0.1", 4243, Path.of("/nonexistent"), UUID.randomUUID(),
                Map.of(), null, 0, electionTimeoutMin, null);
    }

    /**
     * The method of Ratis' channel to a peer that ends its reconnect back-off is still there: a Ratis
     * upgrade that removed or renamed it would leave a candidate waiting out the back-off again.
     */
    @Test
    void ratisStillLetsAMemberEndItsChannelsBackoff() {
        assertTrue(ReconnectBackoff.available(), ReconnectBackoff.CLIENT_CLASS + ".resetConnectBackoff() not found");
    }
}
