package io.shoal.manager.raft;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.consensus.ConsensusException;
import io.shoal.manager.store.ClusterStore;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One manager's member of the cluster's Raft group, on Apache Ratis over gRPC (mutual TLS when
 * {@link RaftSettings#tls()} is set). Implements {@link Consensus} for the rest of the manager.
 */
public final class RaftNode implements Consensus {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    /** A follower that has not answered the leader for this long is reported unreachable. */
    private static final long REACHABLE_WITHIN_MS = 3_000;

    private final RaftSettings settings;
    private final RaftPeerId selfId;
    private final RaftGroupId groupId;
    private final RaftProperties properties;
    private final Parameters parameters;
    private final RaftServer server;
    /** runs the leadership checks Ratis' notifications ask for, one at a time, off Ratis' threads */
    private final ScheduledExecutorService watcher;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    /** completed, and replaced, at every change of the known leader or of this member's leadership */
    private final AtomicReference<CompletableFuture<Void>> leaderChange = new AtomicReference<>(new CompletableFuture<>());
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallIds = new AtomicLong();
    private volatile boolean leaderReady;
    private RaftPeerId knownLeader; // only the watcher thread
    private volatile RaftClient client;
    private volatile Collection<RaftPeer> clientPeers = List.of();
    private volatile RaftPeerId clientLeader;

    private RaftNode(RaftSettings settings, ClusterStore store) throws IOException {
        this.settings = settings;
        this.selfId = RaftPeerId.valueOf(settings.selfId());
        this.groupId = RaftGroupId.valueOf(settings.groupId());
        this.properties = properties(settings);
        this.parameters = parameters(settings.tls());
        boolean recover = Files.isDirectory(settings.storageDir().resolve(groupId.getUuid().toString()));
        List<RaftPeer> peers = new ArrayList<>();
        if (!recover) {
            settings.bootstrapPeers().forEach((id, addr) -> peers.add(peer(id, addr)));
        }
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "raft-leadership-" + settings.selfId());
            t.setDaemon(true);
            return t;
        });
        this.server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(RaftGroup.valueOf(groupId, peers))
                .setStateMachine(new ShoalStateMachine(store, this::leaderEvent))
                .setProperties(properties)
                .setParameters(parameters)
                .setOption(recover ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
    }

    /** Starts the member: binds its port, recovers its storage, joins elections. */
    public static RaftNode start(RaftSettings settings, ClusterStore store) {
        RaftNode node = null;
        try {
            Files.createDirectories(settings.storageDir());
            node = new RaftNode(settings, store);
            node.server.start();
            node.leaderEvent(); // a member that recovered as the only voter may lead before anyone asks
            return node;
        } catch (IOException | RuntimeException e) {
            if (node != null) {
                closeQuietly(node); // a member that failed to start holds its port and threads
            }
            throw new ConsensusException(startFailure(settings, e), e);
        }
    }

    /**
     * One line for a member that cannot start: Ratis' innermost reason, and for damaged storage
     * (a log entry or snapshot that fails its checksum) what to do, since the member refuses to
     * start rather than drop entries it may have acknowledged.
     */
    static String startFailure(RaftSettings settings, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()).replaceAll("\\s*\\R\\s*", "; ");
        String lower = reason.toLowerCase(Locale.ROOT) + " " + root.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        if (lower.contains("corrupt") || lower.contains("checksum") || lower.contains("md5") || lower.contains("terminator")
                || lower.contains("invalidprotocolbuffer")) {
            return "the Raft storage in " + settings.storageDir() + " is corrupt (" + reason + "): this manager refuses to start "
                    + "rather than lose entries; restore its data dir from a backup, or, while the other managers keep quorum, "
                    + "remove it from the cluster and join it again (see docs/disaster-recovery.md)";
        }
        return "cannot start the Raft member " + settings.selfId() + " on " + settings.address() + " from " + settings.storageDir()
                + ": " + reason;
    }

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

    private static Parameters parameters(RaftSettings.Tls tls) {
        Parameters params = new Parameters();
        if (tls != null) {
            GrpcTlsConfig conf = new GrpcTlsConfig(tls.keyManager(), tls.trustManager(), true);
            GrpcConfigKeys.Server.setTlsConf(params, conf);
            GrpcConfigKeys.Admin.setTlsConf(params, conf);
            GrpcConfigKeys.Client.setTlsConf(params, conf);
        }
        return params;
    }

    private static RaftPeer peer(String id, String address) {
        return RaftPeer.newBuilder().setId(id).setAddress(address).build();
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            throw new ConsensusException("the Raft member is not running: " + e.getMessage(), e);
        }
    }

    /** Ratis told of a change of the leader or of this member's readiness: check on the watcher thread. */
    private void leaderEvent() {
        try {
            watcher.execute(this::checkLeadership);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Follows Ratis' notifications (leader changed; leader ready, once the first entry of its term
     * is applied; not leader any more) instead of polling: logs the leader this member sees, tells
     * the listeners when it becomes or stops being a ready leader, and completes
     * {@link #nextLeaderChange}. The checks run in the order of the notifications, each reading
     * the member's state as it is by then.
     */
    private void checkLeadership() {
        try {
            var info = division().getInfo();
            RaftPeerId leaderNow = info.getLeaderId();
            boolean changed = false;
            if (!Objects.equals(leaderNow, knownLeader)) {
                knownLeader = leaderNow;
                changed = true;
                LOG.info("{} sees the Raft leader {} (term {}, role {})", settings.selfId(),
                        leaderNow == null ? "as unknown" : "as " + leaderNow, info.getCurrentTerm(),
                        info.getCurrentRole());
            }
            boolean ready = info.isLeader() && info.isLeaderReady();
            if (ready != leaderReady) {
                changed = true;
                leaderReady = ready;
                LOG.info("{} {} leader", settings.selfId(), ready ? "became" : "is no longer");
                for (Consumer<Boolean> l : listeners) {
                    try {
                        l.accept(ready);
                    } catch (RuntimeException e) {
                        LOG.warn("leadership listener failed", e);
                    }
                }
            }
            if (changed) {
                leaderChange.getAndSet(new CompletableFuture<>()).complete(null);
            }
        } catch (RuntimeException e) {
            LOG.debug("leadership check failed", e);
        }
    }

    @Override
    public CompletableFuture<Void> nextLeaderChange() {
        return leaderChange.get();
    }

    /**
     * A client whose peer list follows the current configuration and which starts at the leader
     * this member knows: after a failover it goes straight to the new leader instead of first
     * retrying the dead one.
     */
    private synchronized RaftClient client() {
        Collection<RaftPeer> peers = division().getGroup().getPeers();
        RaftPeerId leader = division().getInfo().getLeaderId();
        boolean leaderMoved = leader != null && !leader.equals(clientLeader);
        if (client == null || !Set.copyOf(peers).equals(Set.copyOf(clientPeers)) || leaderMoved) {
            if (client != null) {
                // calls may still be in flight on the old client: close it a little later
                RaftClient old = client;
                watcher.schedule(() -> closeQuietly(old), 30, TimeUnit.SECONDS);
            }
            RaftGroup group = peers.isEmpty()
                    ? RaftGroup.valueOf(groupId, peer(settings.selfId(), settings.address()))
                    : RaftGroup.valueOf(groupId, peers);
            client = RaftClient.newBuilder()
                    .setProperties(properties)
                    .setParameters(parameters)
                    .setRaftGroup(group)
                    .setLeaderId(leader)
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(40,
                            TimeDuration.valueOf(150, TimeUnit.MILLISECONDS)))
                    .build();
            clientPeers = List.copyOf(peers);
            clientLeader = leader;
        }
        return client;
    }

    /**
     * On the leader, straight to the local Raft server (no gRPC for the leader's own loops, which
     * write the most); elsewhere, or when this member is not ready to lead yet, through the Raft
     * client. A NotLeaderException is not sent again: Ratis also answers so the writes pending when
     * a leader steps down, which the next leader may commit (sent again, one applied twice).
     */
    @Override
    public CompletableFuture<ApplyResult> propose(StoreBatch batch) {
        Message msg = Message.valueOf(ByteString.copyFrom(batch.toByteArray()));
        if (leaderReady) {
            RaftClientRequest request = RaftClientRequest.newBuilder()
                    .setClientId(localClientId).setServerId(selfId).setGroupId(groupId)
                    .setCallId(localCallIds.incrementAndGet()).setMessage(msg)
                    .setType(RaftClientRequest.writeRequestType()).build();
            try {
                return server.submitClientRequestAsync(request).thenCompose(reply -> {
                    if (!reply.isSuccess() && reply.getException() instanceof LeaderNotReadyException) {
                        return viaClient(msg); // refused before it was appended: safe to send again
                    } else if (!reply.isSuccess() && reply.getException() instanceof NotLeaderException) {
                        throw new ConsensusException("the leader stepped down during the write; it may have applied: read and retry");
                    }
                    return CompletableFuture.completedFuture(result(reply));
                });
            } catch (IOException e) {
                return viaClient(msg);
            }
        }
        return viaClient(msg);
    }

    private CompletableFuture<ApplyResult> viaClient(Message msg) {
        return client().async().send(msg).thenApply(RaftNode::result);
    }

    private static ApplyResult result(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new ConsensusException("write not committed: " + describe(reply));
        }
        try {
            return ApplyResult.parseFrom(reply.getMessage().getContent().toByteArray());
        } catch (IOException e) {
            throw new ConsensusException("unreadable apply result", e);
        }
    }

    private static String describe(RaftClientReply reply) {
        return reply.getException() == null ? "unknown error" : reply.getException().getMessage();
    }

    @Override
    public String selfId() {
        return settings.selfId();
    }

    @Override
    public boolean isLeader() {
        return leaderReady;
    }

    @Override
    public Optional<String> leaderId() {
        try {
            RaftPeerId id = division().getInfo().getLeaderId();
            return Optional.ofNullable(id).map(RaftPeerId::toString);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean hearsFromLeader(Duration within) {
        if (leaderReady) {
            return true;
        }
        RoleInfoProto role = division().getInfo().getRoleInfoProto();
        return role.getRole() == RaftPeerRole.FOLLOWER && role.getFollowerInfo().hasLeaderInfo()
                && role.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() < within.toMillis();
    }

    @Override
    public long appliedIndex() {
        return division().getInfo().getLastAppliedIndex();
    }

    /** The index of the newest snapshot this member would send to a new member; -1 without one. */
    public long latestSnapshotIndex() {
        var snapshot = division().getStateMachine().getLatestSnapshot();
        return snapshot == null ? -1 : snapshot.getIndex();
    }

    @Override
    public void barrier(Duration timeout) {
        // the blocking API: an async read-only call shares the client's ordered sliding window
        // with proposals, and its first request after a leader change could stall there
        try {
            RaftClientReply reply = client().io().sendReadOnly(Message.EMPTY, selfId);
            if (!reply.isSuccess()) {
                throw new ConsensusException("read barrier failed: " + describe(reply));
            }
        } catch (IOException e) {
            throw new ConsensusException("no Raft leader confirmed the read: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Member> members() {
        RaftServer.Division d = division();
        RaftPeerId leader = d.getInfo().getLeaderId();
        Map<String, Boolean> reachable = new HashMap<>();
        RoleInfoProto role = d.getInfo().getRoleInfoProto();
        if (role.getRole() == RaftPeerRole.LEADER) {
            for (ServerRpcProto f : role.getLeaderInfo().getFollowerInfoList()) {
                reachable.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs() < REACHABLE_WITHIN_MS);
            }
        }
        List<Member> out = new ArrayList<>();
        for (RaftPeer p : d.getRaftConf().getCurrentPeers()) {
            String id = p.getId().toString();
            boolean isLeader = p.getId().equals(leader);
            boolean ok = isLeader || reachable.getOrDefault(id, false);
            out.add(new Member(id, p.getAddress(), isLeader, ok));
        }
        return out;
    }

    @Override
    public void addVoter(String id, String raftAddress, Duration timeout) {
        List<RaftPeer> peers = new ArrayList<>();
        for (RaftPeer p : division().getRaftConf().getCurrentPeers()) {
            if (!p.getId().toString().equals(id)) {
                peers.add(p);
            }
        }
        peers.add(peer(id, raftAddress));
        setConfiguration(peers, "add " + id);
    }

    @Override
    public void removeVoter(String id, Duration timeout) {
        List<RaftPeer> peers = new ArrayList<>();
        for (RaftPeer p : division().getRaftConf().getCurrentPeers()) {
            if (!p.getId().toString().equals(id)) {
                peers.add(p);
            }
        }
        setConfiguration(peers, "remove " + id);
    }

    private void setConfiguration(List<RaftPeer> peers, String what) {
        try {
            RaftClientReply reply = client().admin().setConfiguration(peers);
            if (!reply.isSuccess()) {
                throw new ConsensusException("cannot " + what + " in the Raft group: " + describe(reply));
            }
        } catch (IOException e) {
            throw new ConsensusException("cannot " + what + " in the Raft group: " + e.getMessage(), e);
        }
    }

    @Override
    public void onLeadershipChange(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    /**
     * Stops this member and leaves its storage such that, started again, it is the group's only
     * voter, at {@code raftAddress} (force-new-cluster; see {@link OnlyVoter}). Call it only while no
     * leader can be elected: the index read here must still be the log's next when the server stops.
     */
    public void closeAsOnlyVoter(String raftAddress) {
        long nextIndex = division().getRaftLog().getNextIndex();
        close();
        try {
            OnlyVoter.write(settings.storageDir(), settings.groupId(), peer(settings.selfId(), raftAddress), nextIndex);
        } catch (IOException e) {
            throw new ConsensusException("cannot rewrite the Raft configuration in " + settings.storageDir() + ": " + e.getMessage(), e);
        }
        LOG.info("{} is now the only voter of its Raft group, at {} from log index {}", settings.selfId(), raftAddress, nextIndex);
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        synchronized (this) {
            if (client != null) {
                closeQuietly(client);
                client = null;
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            LOG.warn("closing the Raft server failed", e);
        }
        if (leaderReady) {
            leaderReady = false;
            listeners.forEach(l -> l.accept(false));
        }
        leaderChange.get().complete(null);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }
}
