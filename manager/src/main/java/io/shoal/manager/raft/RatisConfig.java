package io.shoal.manager.raft;

import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Ratis properties and parameters of a member, from its {@link RaftSettings}. */
final class RatisConfig {
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
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("8MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("1MB"));
        // closed log segments kept in memory (Ratis keeps up to 6 and 200 MB): the store holds the
        // state already, and a follower far behind gets a snapshot; a few segments bound the heap
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 2);
        RaftServerConfigKeys.Log.setSegmentCacheSizeMax(p, SizeInBytes.valueOf("24MB"));
        // a damaged log entry stops the member instead of dropping it and every entry after it
        // (Ratis' default, written down: WARN_AND_RETURN would lose acknowledged writes silently)
        RaftServerConfigKeys.Log.setCorruptionPolicy(p, RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION);
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(requestMs, TimeUnit.MILLISECONDS));
        return p;
    }

    static Parameters parameters(RaftSettings.Tls tls) {
        Parameters params = new Parameters();
        if (tls != null) {
            GrpcTlsConfig conf = new GrpcTlsConfig(tls.keyManager(), tls.trustManager(), true);
            GrpcConfigKeys.Server.setTlsConf(params, conf);
            GrpcConfigKeys.Admin.setTlsConf(params, conf);
            GrpcConfigKeys.Client.setTlsConf(params, conf);
        }
        return params;
    }

}
