package io.shoal.manager.raft;

import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.grpc.server.GrpcServices;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Ratis properties and parameters of a member, from its {@link RaftSettings}. */
final class RatisConfig {
    /** A Raft log segment's largest size: also the unit in which Ratis caches log entries in memory. */
    static final SizeInBytes SEGMENT_SIZE = SizeInBytes.valueOf("4MB");

    private RatisConfig() {}

    /** Ratis settings of a member (package-private for tests). */
    static RaftProperties properties(RaftSettings s) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(s.storageDir().toFile()));
        GrpcConfigKeys.Server.setHost(p, s.host());
        GrpcConfigKeys.Server.setPort(p, s.port());
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(s.electionTimeoutMin().toMillis(), TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(s.electionTimeoutMax().toMillis(), TimeUnit.MILLISECONDS));
        // a request outlasts an election (a longer election timeout for a large fleet: shoal daemon --election-timeout)
        long requestMs = Math.max(3_000, 2 * s.electionTimeoutMax().toMillis());
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(requestMs, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, s.snapshotThreshold());
        RaftServerConfigKeys.Snapshot.setCreationGap(p, Math.max(1, s.snapshotThreshold() / 2));
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setPurgeGap(p, (int) Math.max(1, Math.min(Integer.MAX_VALUE, s.snapshotThreshold() / 4)));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SEGMENT_SIZE);
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("1MB"));
        // log entries kept in memory: Ratis caches the open segment's entries and those of up to 6
        // closed segments and 200 MB. The store holds the state already, so the cache only spares
        // the leader a read of the segment file when a follower is behind (the page cache usually
        // has it; a follower behind the snapshot gets the snapshot). A miss reads the whole segment
        // back, so segments are small: the open one and one closed, at most 8 MB (docs/node.md)
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 1);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf(2 * SEGMENT_SIZE.getSize()));
        // a damaged log entry stops the member instead of dropping it and every entry after it
        // (Ratis' default, written down: WARN_AND_RETURN would lose acknowledged writes silently)
        RaftServerConfigKeys.Log.setCorruptionPolicy(p, RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
        // read-only requests, if any reached Ratis, confirm leadership (reads here go through
        // ReadBarrier's empty entries, not Ratis' read index: see there)
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, appenderRetryPolicy(s.electionTimeoutMin()));
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, stepDownWait(s.electionTimeoutMin()));
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(requestMs, TimeUnit.MILLISECONDS));
        return p;
    }

    /**
     * How long the leader waits before trying a follower again after errors in a row. Ratis' default
     * ({@code 1ms,10, 1s,20, 5s,1000}) waits 1 s after 10 errors and 5 s after 30, and a follower
     * that answers INCONSISTENCY (any restarted follower's first answer) counts as one more error.
     * So a follower that was down for a few seconds heard nothing for 1-5 s after it was back, and
     * the leader leaned on its other follower alone: pausing that one cost the leader its term
     * (ChaosIT's 4 s pause-follower windows right after a kill). Here every wait after the first ten
     * is a third of the minimum election timeout, which Ratis randomises to 0.5-1.5 times: always
     * under the follower's election timeout, and a dead follower costs the leader a few failed
     * connects a second.
     */
    static String appenderRetryPolicy(Duration electionTimeoutMin) {
        long waitMs = Math.max(1, electionTimeoutMin.toMillis() / 3);
        return "1ms,10, " + waitMs + "ms," + Integer.MAX_VALUE;
    }

    /**
     * How long a leader that stepped down for lost heartbeats stays out of elections. Ratis' default
     * is 10 s, so a member that stepped down (it was partitioned, or slow) and then held the most
     * up-to-date log blocked the cluster when the leader after it died within those 10 s: the other
     * member's pre-votes were refused (its log shorter) and no member called an election (ChaosIT's
     * long run: a 6.6 s window after a leader kill, h1 campaigning exactly 10.06 s after it stepped
     * down). Pre-votes already keep a stale member from disrupting a live leader, so it waits like
     * any follower: the minimum election timeout, under the randomised timeout its follower state
     * sleeps before it first checks.
     */
    static TimeDuration stepDownWait(Duration electionTimeoutMin) {
        return TimeDuration.valueOf(electionTimeoutMin.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * @param contact sees every call on the member's server-to-server service ({@link PeerContact})
     */
    static Parameters parameters(RaftSettings.Tls tls, ServerInterceptor contact) {
        Parameters params = new Parameters();
        GrpcConfigKeys.Server.setServicesCustomizer(params,
                (builder, types) -> types.contains(GrpcServices.Type.SERVER) ? builder.intercept(contact) : builder);
        if (tls != null) {
            GrpcTlsConfig conf = new GrpcTlsConfig(tls.keyManager(), tls.trustManager(), true);
            GrpcConfigKeys.Server.setTlsConf(params, conf);
            GrpcConfigKeys.Admin.setTlsConf(params, conf);
            GrpcConfigKeys.Client.setTlsConf(params, conf);
        }
        return params;
    }

}
