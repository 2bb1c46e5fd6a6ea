package io.shoal.manager.raft;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.consensus.ConsensusException;
import io.shoal.manager.store.ClusterStore;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
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
import org.apache.ratis.server.storage.RaftStorage;
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
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One manager's member of the cluster's Raft group, on Apache Ratis over gRPC (mutual TLS when
 * {@link RaftSettings#tls()} is set). Implements {@link Consensus} for the rest of the manager.
 */
public final class RaftNode implements Consensus {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    /** A follower that has not answered the leader for this long is reported unreachable. */
    private static final long REACHABLE_WITHIN_MS = 3_000;
    /** How often the member's log is checked, and a failed member started again from its storage. */
    private static final long HEALTH_CHECK_MS = 1_000;

    private final RaftSettings settings;
    private final RaftPeerId selfId;
    private final RaftGroupId groupId;
    private final RaftProperties properties;
    private final Parameters parameters;
    private final ClusterStore store;
    /** replaced when a member whose log failed is started again ({@link #checkStorage}) */
    private volatile RaftServer server;
    /** the state machine of {@link #server} */
    private volatile ShoalStateMachine stateMachine;
    private volatile boolean closing;
    /** only the watcher thread */
    private final MemberRecovery recovery;
    /** runs the leadership checks Ratis' notifications ask for, one at a time, off Ratis' threads */
    private final ScheduledExecutorService watcher;
    private final ClientId localClientId = ClientId.randomId();
    private final AtomicLong localCallIds = new AtomicLong();
    private final LeadershipWatch leadership;
    private final ReconnectBackoff backoff;
    private final ElectionReach reach;
    /** linearizable reads: an empty entry through the leader, shared by the reads that wait together */
    private final ReadBarrier reads;
    private volatile RaftClient client;
    private volatile Collection<RaftPeer> clientPeers = List.of();
    private volatile RaftPeerId clientLeader;

    private RaftNode(RaftSettings settings, ClusterStore store) throws IOException {
        this.settings = settings;
        this.store = store;
        this.selfId = RaftPeerId.valueOf(settings.selfId());
        this.groupId = RaftGroupId.valueOf(settings.groupId());
        this.properties = RatisConfig.properties(settings);
        // a peer that calls this member is up: its channel to that peer stops waiting out a back-off
        this.backoff = new ReconnectBackoff(() -> server);
        this.parameters = RatisConfig.parameters(settings.tls(), new PeerContact(backoff));
        // ... and so does a member about to campaign, with every peer (a restarted follower calls no one)
        this.reach = new ElectionReach(selfId, () -> division().getInfo().getRoleInfoProto(),
                () -> division().getRaftConf().getCurrentPeers(), backoff, settings.electionTimeoutMin());
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
        this.leadership = new LeadershipWatch(settings.selfId(), () -> division().getInfo(), watcher);
        this.reads = new ReadBarrier(() -> propose(StoreBatch.getDefaultInstance()).thenApply(ApplyResult::getIndex), store::indexReached);
        this.server = newServer(peers, recover);
        this.recovery = new MemberRecovery(settings.selfId(), settings.storageDir().toString(), new RecoverableMember(),
                System::nanoTime, this::room);
    }

    private RaftServer newServer(List<RaftPeer> peers, boolean recover) throws IOException {
        if (recover) {
            TermFileRepair.repairIfEmptied(settings.storageDir().resolve(groupId.getUuid().toString()));
        }
        ShoalStateMachine sm = new ShoalStateMachine(store, this::leaderEvent);
        stateMachine = sm;
        return RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(RaftGroup.valueOf(groupId, peers))
                .setStateMachine(sm)
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
            node.watcher.scheduleWithFixedDelay(node::checkStorage, HEALTH_CHECK_MS, HEALTH_CHECK_MS, TimeUnit.MILLISECONDS);
            long reachMs = ElectionReach.period(settings.electionTimeoutMin()).toMillis();
            node.watcher.scheduleWithFixedDelay(node.reach, reachMs, reachMs, TimeUnit.MILLISECONDS);
            return node;
        } catch (IOException | RuntimeException e) {
            if (node != null) {
                closeQuietly(node); // a member that failed to start holds its port and threads
            }
            throw new ConsensusException(StartFailure.describe(settings, e), e);
        }
    }

    private static RaftPeer peer(String id, String address) {
        return RaftPeer.newBuilder().setId(id).setAddress(address).build();
    }

    private void checkStorage() {
        if (!closing) {
            recovery.check();
        }
    }

    /** This member's server as {@link MemberRecovery} sees it. */
    private final class RecoverableMember implements MemberRecovery.Member {
        private final LogStall stall = new LogStall(LogStall.DEFAULT_AFTER, System::nanoTime);
        private boolean threadsLogged;

        @Override
        public String failure() {
            try {
                RaftServer.Division d = server.getDivision(groupId);
                if (!d.getRaftLog().isOpened()) {
                    return "its log is closed after a failed write";
                }
                // a follower's log stays open after a failed write, but fails every later one
                if (stateMachine.logFailure() != null) {
                    return "a log write failed: " + stateMachine.logFailure().getMessage();
                }
                if (!d.getInfo().isAlive()) {
                    return "it stopped (" + d.getInfo().getLifeCycleState() + ")";
                }
                String stalled = stall.check(d);
                if (stalled != null && !threadsLogged) {
                    threadsLogged = true; // once: the cause is in there, and the dump is long
                    LOG.warn("{}: {}; its threads:\n{}", selfId, stalled, ThreadDump.text());
                }
                return stalled;
            } catch (IOException | RuntimeException e) {
                return "it is gone: " + e.getMessage();
            }
        }

        @Override
        public boolean removedFromGroup() {
            return stateMachine.removedFromGroup();
        }

        @Override
        public void stop() {
            leadership.stopped();
            closeQuietly(() -> ServerClose.close(server));
        }

        @Override
        public void startAgain() throws IOException {
            RaftServer next = null;
            try {
                next = newServer(List.of(), true);
                next.start();
                synchronized (RaftNode.this) {
                    if (closing) {
                        closeQuietly(next);
                        return;
                    }
                    server = next;
                }
                leaderEvent();
            } catch (IOException | RuntimeException e) {
                if (next != null) {
                    closeQuietly(next);
                }
                throw new IOException(StartFailure.describe(settings, e), e);
            }
        }
    }

    private long room() {
        try {
            return Files.getFileStore(settings.storageDir()).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE; // cannot tell: try to start
        }
    }

    private RaftServer.Division division() {
        try {
            return server.getDivision(groupId);
        } catch (IOException e) {
            throw new ConsensusException("the Raft member is not running: " + e.getMessage(), e);
        }
    }

    private void leaderEvent() {
        leadership.event();
    }

    @Override
    public CompletableFuture<Void> nextLeaderChange() {
        return leadership.next();
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
        Message msg = Message.valueOf(LogBytes.wrap(batch.toByteArray()));
        if (leadership.ready()) {
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

    /** How many calls from {@code peer} told this member's channel to it not to wait out a back-off. */
    long backoffResets(String peer) {
        return backoff.resets(RaftPeerId.valueOf(peer));
    }

    @Override
    public String selfId() {
        return settings.selfId();
    }

    @Override
    public boolean isLeader() {
        return leadership.ready();
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
        if (leadership.ready()) {
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

    /** An empty entry through the leader, then applied here: see {@link ReadBarrier} for why not Ratis' read index. */
    @Override
    public void barrier(Duration timeout) {
        try {
            reads.await().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ConsensusException("no Raft leader confirmed the read within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            throw cause instanceof ConsensusException ce ? ce
                    : new ConsensusException("no Raft leader confirmed the read: " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConsensusException("interrupted waiting for a read barrier");
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
        leadership.listen(listener);
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
        closing = true;
        watcher.shutdownNow();
        synchronized (this) {
            if (client != null) {
                closeQuietly(client);
                client = null;
            }
        }
        try {
            ServerClose.close(server);
        } catch (IOException e) {
            LOG.warn("closing the Raft server failed", e);
        }
        leadership.stopped();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed", e);
        }
    }
}
