package io.shoal.manager;

import io.grpc.Channel;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.shoal.api.Cluster;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ClusterInfo;
import io.shoal.api.DispatcherGrpc;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.LivenessReport;
import io.shoal.api.Node;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.control.ClusterApi;
import io.shoal.manager.control.ControlService;
import io.shoal.manager.dispatcher.Dispatcher;
import io.shoal.manager.events.EventLog;
import io.shoal.manager.membership.ClusterCa;
import io.shoal.manager.membership.ManagerRoles;
import io.shoal.manager.membership.MembershipService;
import io.shoal.manager.membership.NodeCaService;
import io.shoal.manager.membership.RootRotationLoop;
import io.shoal.manager.network.NetworkKeyLoop;
import io.shoal.manager.membership.RootRotations;
import io.shoal.manager.network.Ingress;
import io.shoal.manager.network.NetworkAllocator;
import io.shoal.manager.orchestrator.LoopRunner;
import io.shoal.manager.orchestrator.SchedulingLoop;
import io.shoal.manager.orchestrator.TaskReaper;
import io.shoal.manager.orchestrator.global.GlobalOrchestrator;
import io.shoal.manager.orchestrator.jobs.ReplicatedJobOrchestrator;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.raft.RaftNode;
import io.shoal.manager.raft.RaftSettings;
import io.shoal.manager.rpc.ChannelPool;
import io.shoal.manager.rpc.Forwarder;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.security.SecurityService;
import io.shoal.manager.security.UnlockKeys;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.manager.store.TimedProposer;
import io.shoal.scheduler.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The manager role of a node: the replicated store, the Raft member, and the services and leader
 * loops built on them. The daemon hosts one while the node is a manager.
 */
public final class Manager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Manager.class);
    /** How long a caller's call waits for this manager to learn the leader before another manager is asked. */
    static final Duration ASK_A_PEER_AFTER = Duration.ofMillis(750);
    /** How long a call waits for a leader at all. */
    static final Duration LEADER_WAIT = Duration.ofSeconds(5);

    private final Config config;
    private final ClusterStore store = new ClusterStore();
    private final EventLog events;
    private final RaftNode raft;
    private final TimedProposer proposer;
    private final StoreWriter writer;
    private final Dispatcher dispatcher;
    private final ManagerRoles roles;
    private final ClusterCa ca;
    private final SecretCipher cipher;
    private final LoopRunner loops;
    /** the daemon's channels to other daemons, once {@link #services} is called */
    private volatile ChannelPool channels;
    private volatile boolean closing;

    /**
     * @param nodeId          this node
     * @param advertiseAddr   this daemon's cluster address (IP:PORT)
     * @param raft            the Raft member's settings
     * @param kek             key-encryption key for the CA key and the secrets' data key in the store
     * @param heartbeatPeriod how often workers heartbeat
     * @param downAfter       how long without a heartbeat before a node is Down
     */
    public record Config(String nodeId, String advertiseAddr, RaftSettings raft, byte[] kek,
                         Duration heartbeatPeriod, Duration downAfter) {
        /** With the cluster's default heartbeat period and down-after (the stored settings win once there are any). */
        public Config(String nodeId, String advertiseAddr, RaftSettings raft, byte[] kek) {
            this(nodeId, advertiseAddr, raft, kek, ClusterSettings.defaultHeartbeat(), ClusterSettings.defaultDownAfter());
        }
    }

    private Manager(Config config) {
        this.config = config;
        // before the Raft member replays its log, so the event history holds what it replays
        this.events = EventLog.start(store, EventLog.DEFAULT_CAPACITY);
        this.raft = RaftNode.start(config.raft(), store);
        this.proposer = new TimedProposer(raft);
        this.writer = new StoreWriter(store, proposer);
        this.cipher = new SecretCipher(config.kek());
        this.dispatcher = new Dispatcher(store, writer, config.heartbeatPeriod(), config.downAfter(), System::currentTimeMillis,
                new LeaderLink(), null, cipher);
        this.roles = new ManagerRoles(store, writer, raft);
        this.ca = new ClusterCa(store, config.kek());
        this.loops = new LoopRunner(store, writer, List.of(
                new ReplicatedOrchestrator(Ids::newId),
                new GlobalOrchestrator(Ids::newId),
                new ReplicatedJobOrchestrator(Ids::newId),
                new NetworkAllocator(),
                new SchedulingLoop(new Scheduler()),
                new TaskReaper(),
                new RootRotationLoop(),
                new NetworkKeyLoop(cipher)), System::currentTimeMillis, 1000);
        dispatcher.serve();
        raft.onLeadershipChange(leader -> {
            if (leader) {
                dispatcher.run();
                loops.run();
            } else {
                loops.stop();
                dispatcher.stop();
            }
        });
    }

    /**
     * How this manager's dispatcher reaches the leader: liveness reports over the daemons' gRPC
     * port, the one way liveness travels to the leader (a report that reaches a follower goes on
     * with that follower's next report).
     */
    private final class LeaderLink implements Dispatcher.LeaderLink {
        @Override
        public void reportLiveness(Collection<String> nodeIds) {
            if (raft.isLeader()) {
                dispatcher.heardFrom(nodeIds);
                return;
            }
            ChannelPool pool = channels;
            String addr = leaderAddr().orElseThrow(() -> Status.UNAVAILABLE.withDescription("no known leader").asRuntimeException());
            if (pool == null) {
                throw Status.UNAVAILABLE.withDescription("not serving yet").asRuntimeException();
            }
            DispatcherGrpc.newBlockingStub(pool.getUp(addr)).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .reportLiveness(LivenessReport.newBuilder().addAllNodeIds(nodeIds).build());
        }

        @Override
        public boolean leaderKnown() {
            return raft.isLeader() || leaderAddr().isPresent();
        }

        @Override
        public void catchUp() {
            try {
                raft.barrier(Duration.ofSeconds(3));
            } catch (RuntimeException e) {
                LOG.debug("read barrier failed: {}", e.toString());
            }
        }
    }

    public static Manager start(Config config) {
        return new Manager(config);
    }

    public ClusterStore store() {
        return store;
    }

    /** Registers this manager's meters; close the result when the manager stops. */
    public ManagerMetrics bindMetrics(MeterRegistry registry) {
        return new ManagerMetrics(registry, store, dispatcher, loops, raft::isLeader, proposer, config.nodeId());
    }

    public Consensus consensus() {
        return raft;
    }

    public StoreWriter writer() {
        return writer;
    }

    /** What the cluster is, answered from this manager's store after a linearizable read: for the leader's own use. */
    public ClusterInfo clusterInfo() {
        return new ClusterApi(store, writer, raft).getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
    }

    /** Writes the first state of a new cluster once this (only) member leads. */
    public void bootstrap(Cluster cluster, Node self, Duration timeout) {
        waitForLeader(timeout);
        AtomicBoolean created = new AtomicBoolean();
        writer.update(tx -> {
            created.set(tx.cluster().isEmpty());
            return created.get() ? List.of(Batches.create(StoreObjects.wrap(cluster)), Batches.create(StoreObjects.wrap(self))) : List.of();
        });
        if (created.get()) {
            // as `docker swarm init` does: the routing mesh's network exists from the start
            writer.update(Ingress::create);
        }
    }

    /** Blocks until some member leads and this member knows it. */
    public void waitForLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            CompletableFuture<Void> change = raft.nextLeaderChange(); // before the check: no change slips between
            if (raft.leaderId().isPresent() && (!raft.leaderId().get().equals(config.nodeId()) || raft.isLeader())) {
                return;
            }
            if (!awaitUntil(change, deadline)) {
                throw Status.UNAVAILABLE.withDescription("no Raft leader was elected within " + timeout.toSeconds() + " s").asRuntimeException();
            }
        }
    }

    /**
     * Whether this manager learns who leads, and the leader's daemon address (from its node in the
     * store), within {@code timeout}: woken by leader changes and by applies, not by polling.
     */
    public boolean awaitLeaderKnown(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            CompletableFuture<Object> change = nextChange();
            if (raft.leaderId().isPresent() && leaderAddr().isPresent()) {
                return true;
            }
            if (!awaitUntil(change, deadline)) {
                return false;
            }
        }
    }

    /** Completes at the next leader change or the next entry this manager applies: what can make a leader known here. */
    private CompletableFuture<Object> nextChange() {
        return CompletableFuture.anyOf(raft.nextLeaderChange(), store.indexReached(store.appliedIndex() + 1));
    }

    /** Waits for {@code change} until {@code deadlineNanos} (System.nanoTime); false once the deadline has passed. */
    private static boolean awaitUntil(CompletableFuture<?> change, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            change.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // look again: the deadline decides
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.UNAVAILABLE.withDescription("interrupted").asRuntimeException();
        }
        return true;
    }

    /** The leader's daemon address, when known. */
    public Optional<String> leaderAddr() {
        return raft.leaderId().flatMap(id -> store.view(tx -> tx.node(id))).map(Node::getAdvertiseAddr)
                .filter(a -> !a.isEmpty());
    }

    /** Where a leader-only call goes now: served here (no channel, nothing missing), relayed, or what is missing. */
    private record Target(Channel channel, String missing) {
        static final Target HERE = new Target(null, null);
    }

    private Target leaderTarget(ChannelPool channels) {
        if (raft.isLeader()) {
            return Target.HERE;
        }
        Optional<String> leader = raft.leaderId();
        if (leader.isEmpty()) {
            return new Target(null, "this manager has not heard from a Raft leader");
        }
        if (leader.get().equals(config.nodeId())) {
            return new Target(null, "this manager was elected but has not committed its first entry yet");
        }
        Optional<String> addr = leaderAddr();
        return addr.isPresent() ? new Target(channels.getUp(addr.get()), null)
                : new Target(null, "the leader " + leader.get() + " has no known address here");
    }

    /**
     * Where leader-only calls go: served here while this manager leads, otherwise relayed to the
     * leader's daemon. A manager that has not learned the leader yet (just restarted, or just
     * promoted, and not yet reached by the leader's heartbeats) hands a caller's call to another
     * manager after {@link #ASK_A_PEER_AFTER}, which relays it on to the leader it knows; relayed
     * calls are never handed on that way again, so two managers cannot bounce a call. UNAVAILABLE,
     * naming what is missing, when no leader turns up within {@link #LEADER_WAIT}. A call that
     * waits is woken by leader changes and applies.
     */
    public Forwarder.Route leaderRoute(ChannelPool channels) {
        AtomicInteger nextPeer = new AtomicInteger();
        return hops -> {
            long start = System.nanoTime();
            while (true) {
                Target t = leaderTarget(channels);
                if (t.missing() == null) {
                    return t.channel();
                }
                CompletableFuture<Object> change = nextChange();
                t = leaderTarget(channels); // again, now that a change in between would complete `change`
                if (t.missing() == null) {
                    return t.channel();
                }
                long waited = System.nanoTime() - start;
                if (hops == 0 && waited > ASK_A_PEER_AFTER.toNanos()) {
                    Optional<String> peer = peerManagerAddr(nextPeer.getAndIncrement());
                    if (peer.isPresent()) {
                        LOG.info("relaying a call to the manager at {}: {}", peer.get(), t.missing());
                        return channels.get(peer.get());
                    }
                }
                if (waited > LEADER_WAIT.toNanos()) {
                    throw Status.UNAVAILABLE.withDescription("no manager is the Raft leader right now (" + t.missing()
                            + "; is a majority of managers up?); try again").asRuntimeException();
                }
                long askAt = start + ASK_A_PEER_AFTER.toNanos() + 1;
                awaitUntil(change, hops == 0 && System.nanoTime() < askAt ? askAt : start + LEADER_WAIT.toNanos() + 1);
            }
        };
    }

    /** The daemon address of one of the other voters (the n-th, round robin), as this manager's store knows it. */
    private Optional<String> peerManagerAddr(int n) {
        List<String> addrs = raft.members().stream()
                .map(Consensus.Member::id)
                .filter(id -> !id.equals(config.nodeId()))
                .sorted()
                .map(id -> store.view(tx -> tx.node(id)).map(Node::getAdvertiseAddr).orElse(""))
                .filter(a -> !a.isEmpty())
                .toList();
        return addrs.isEmpty() ? Optional.empty() : Optional.of(addrs.get(Math.floorMod(n, addrs.size())));
    }

    /** The services this manager adds to the daemon's cluster port. Leader-only ones relay through {@code route}. */
    public List<ServerServiceDefinition> services(Forwarder.Route route, ChannelPool channels) {
        this.channels = channels;
        Forwarder toLeader = new Forwarder(route);
        abandonRelaysOnLeaderChange(toLeader, channels);
        return List.of(
                // every manager serves events from its own store; the rest of the Control API goes to the leader
                ServerInterceptors.intercept(new ControlService(store, writer, raft, roles, channels, cipher, events.history(),
                                unlockKeys()),
                        toLeader.servingHere(ControlGrpc.getEventsMethod())),
                // every manager serves worker sessions from its own store; liveness reaches the
                // leader only through a follower's own reports (LeaderLink)
                dispatcher.bindService(),
                ServerInterceptors.intercept(new MembershipService(roles), toLeader),
                new NodeCaService(store, writer, raft, ca).bindService(),
                ServerInterceptors.intercept(new SecurityService(ca,
                        new RootRotations(store, writer, ca, System::currentTimeMillis, new SecureRandom()), unlockKeys()), toLeader));
    }

    /**
     * At every leader change, the calls relayed to a daemon that is no longer the leader are given
     * up, so their callers retry at once through the new leader instead of waiting out their
     * deadlines: a leader that stopped hearing its followers (an asymmetric partition) or was paused
     * never answers them.
     */
    private void abandonRelaysOnLeaderChange(Forwarder toLeader, ChannelPool channels) {
        raft.nextLeaderChange().thenRun(() -> {
            if (closing) {
                return;
            }
            try {
                Channel leader = leaderTarget(channels).channel();
                int n = toLeader.abandon(target -> target != leader,
                        "the Raft leader changed while this call was relayed to the old one; it may have applied: check and try again");
                if (n > 0) {
                    LOG.info("gave up {} call(s) relayed to a former leader", n);
                }
            } catch (RuntimeException e) {
                LOG.warn("could not give up calls relayed to a former leader: {}", e.toString());
            }
            abandonRelaysOnLeaderChange(toLeader, channels);
        });
    }

    private UnlockKeys unlockKeys() {
        return new UnlockKeys(store, writer, config.kek(), new SecureRandom());
    }

    /**
     * Stops the leader's control loops (until this manager next becomes leader): for tests whose
     * store must change only by their own calls, such as the Control API fuzz test, which checks
     * that a rejected call changed nothing.
     */
    public void stopLoops() {
        loops.stop();
    }

    /** Removes this manager from the Raft group (leave --force). */
    public void leaveRaft() {
        roles.leave(config.nodeId(), true);
    }

    /**
     * Stops this manager for {@code shoal init --force-new-cluster}: started again from its data
     * dir, it is the only voter of its Raft group, at {@code raftAddress}. Call it only while the
     * group has no leader.
     */
    public void closeAsOnlyVoter(String raftAddress) {
        closing = true;
        loops.stop();
        dispatcher.shutdown();
        raft.closeAsOnlyVoter(raftAddress);
        events.close();
        LOG.info("manager {} stopped to start a new cluster from its data", config.nodeId());
    }

    /**
     * The second half of force-new-cluster, once this manager, the only voter, leads: the store
     * stops naming the managers Raft no longer has ({@link ManagerRoles#forceNewCluster}).
     */
    public void forgetOtherManagers(String raftAddress, Duration timeout) {
        waitForLeader(timeout);
        roles.forceNewCluster(config.nodeId(), config.advertiseAddr(), raftAddress);
    }

    @Override
    public void close() {
        closing = true;
        loops.stop();
        dispatcher.shutdown();
        raft.close();
        events.close();
        LOG.info("manager {} stopped", config.nodeId());
    }
}
