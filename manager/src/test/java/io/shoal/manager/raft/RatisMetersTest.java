package io.shoal.manager.raft;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ratis's metric names (as ratis-metrics-default registers them) become stable meter names and tags. */
class RatisMetersTest {
    private static final String MEMBER = "azyaei0vql9u3h6mc7029jkrs@group-16611E491709";
    private static final String FOLLOWER = "mffrpouqp4di24keeyt2njmtf";

    @Test
    void theMemberMovesToATagAndAPeerInTheNameToAnother() {
        assertEquals(new RatisMeters.Named("ratis.log_worker.flushCount", null),
                RatisMeters.named("ratis.log_worker", "ratis.log_worker." + MEMBER + ".", "ratis.log_worker." + MEMBER + ".flushCount"));
        assertEquals(new RatisMeters.Named("ratis.log_appender.follower_match_index", FOLLOWER),
                RatisMeters.named("ratis.log_appender", "ratis.log_appender." + MEMBER + ".",
                        "ratis.log_appender." + MEMBER + ".follower_" + FOLLOWER + "_match_index"));
        assertEquals(new RatisMeters.Named("ratis.log_appender.latency", FOLLOWER),
                RatisMeters.named("ratis.log_appender", "ratis_grpc.log_appender." + MEMBER + ".",
                        "ratis_grpc.log_appender." + MEMBER + "." + FOLLOWER + "_latency"));
    }
}
