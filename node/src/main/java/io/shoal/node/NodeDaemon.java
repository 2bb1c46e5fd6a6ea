package io.shoal.node;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.util.MutableHandlerRegistry;
import io.shoal.api.Cluster;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.JoinResponse;
import io.shoal.api.JoinTokens;
import io.shoal.api.LeaveRequest;
import io.shoal.api.LocalInfo;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.SessionMessage;
import io.shoal.api.UnlockRequest;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.Ids;
import io.shoal.manager.ca.JoinToken;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.manager.membership.RaftGroups;
import io.shoal.manager.rpc.AuthInterceptor;
import io.shoal.manager.rpc.MalformedRequests;
import io.shoal.manager.store.StoreFormat;
import io.shoal.node.Addresses.HostPort;
import io.shoal.worker.agent.NodeDescriptions;
import io.shoal.worker.fs.Trees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * One node: the local unix socket always, and the {@link ClusterMember} while the node is in a
 * cluster. Membership changes (init, join, leave, promotion, demotion) run one at a time on a
 * single lifecycle thread; each either completes or leaves the node as it was.
 */
public final class NodeDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeDaemon.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DaemonOptions options;
    private final NodeFiles files;
    private final ManagerKeys keys;
    private final MutableHandlerRegistry localRegistry = new MutableHandlerRegistry();
    private final ExecutorService lifecycle = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "node-lifecycle");
        t.setDaemon(true);
        return t;
    });
    private final Object stateLock = new Object();
    private volatile NodeState state;
    private volatile ClusterMember member;
    private Server socketServer;

    NodeDaemon(DaemonOptions options) {
        this.options = options;
        this.files = new NodeFiles(options.dataDir());
        this.keys = new ManagerKeys(files);
    }

    /** What the node runs in its cluster (null outside a cluster). Visible for tests. */
    ClusterMember member() {
        return member;
    }

    /** The TLS identity this node presents now, renewed in place (null outside a cluster). */
    NodeTls tls() {
        ClusterMember m = member;
        return m == null ? null : m.tls();
    }

    /** Resumes the node's membership from its data dir, then opens the local socket. */
    void start() throws IOException {
        Files.createDirectories(options.dataDir());
        Refusal.clusterApi(Refusal.NOT_IN_CLUSTER).forEach(localRegistry::addService);
        state = NodeState.load(files.state());
        if (state != null && keys.locked()) {
            // autolock: nothing of the cluster runs (no Raft, no cluster port, no tasks adopted)
            // until the user gives the unlock key (a node that holds a locked key is a manager, or
            // one whose promotion a crash interrupted)
            Refusal.clusterApi(Refusal.LOCKED).forEach(localRegistry::addService);
            LOG.warn("this manager is locked (autolock): run 'shoal unlock' and provide the unlock key");
        } else if (state != null) {
            resume();
        }
        socketServer = LocalSocket.serve(options.socket(),
                Stream.concat(Stream.of(new LocalNodeService(this).bindService(), new VersionService(this::clusterStoreFormat).bindService()),
                                options.localServices().stream())
                        .map(d -> ServerInterceptors.intercept(MalformedRequests.guard(d), AuthInterceptor.local())).toList(), localRegistry);
        LOG.info("shoal daemon ready on unix://{} (data dir {}, {})", options.socket(), options.dataDir(),
                state == null ? "not in a cluster" : state.role() + " " + state.nodeId());
    }

    /** Starts what the node runs in its cluster from its data dir (at start, or once unlocked). */
    private void resume() {
        try {
            member = ClusterMember.start(files, state, localRegistry, this::onSession, options, keys);
            if (state.isManager() && !state.raftJoined()) {
                lifecycle.submit(() -> {
                    try {
                        joinRaft(member, Duration.ofMinutes(5));
                    } catch (IOException e) {
                        LOG.error("{}", e.getMessage());
                    }
                });
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("cannot resume cluster membership from {}: {}", options.dataDir(), e.getMessage(), e);
        }
    }

    /** Whether this node is a manager waiting for its unlock key. */
    private boolean locked() {
        try {
            return state != null && member == null && keys.locked();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * {@code shoal unlock}: opens this locked manager's key-encryption key with {@code key}, then
     * starts the node as a restart would have. A key that does not open it changes nothing.
     */
    void unlock(UnlockRequest req) {
        onLifecycle(() -> {
            if (state == null) {
                throw Status.FAILED_PRECONDITION.withDescription(Refusal.NOT_IN_CLUSTER).asRuntimeException();
            }
            if (!locked()) {
                throw Status.FAILED_PRECONDITION.withDescription("this node is not locked: there is nothing to unlock").asRuntimeException();
            }
            UnlockKey key = UnlockKey.parse(req.getUnlockKey());
            keys.unlock(key); // a wrong key throws here, before anything changed
            LOG.info("unlocked: starting this manager");
            resume();
            if (member == null) {
                throw Status.INTERNAL.withDescription("unlocked, but the node did not start: see the daemon's log").asRuntimeException();
            }
            return null;
        });
    }

    void awaitTermination() throws InterruptedException {
        socketServer.awaitTermination();
    }

    private <T> T onLifecycle(Callable<T> task) {
        try {
            return lifecycle.submit(task).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof StatusRuntimeException s) {
                throw s;
            }
            if (c instanceof IllegalArgumentException) {
                throw Status.INVALID_ARGUMENT.withDescription(c.getMessage()).asRuntimeException();
            }
            LOG.warn("lifecycle operation failed", c);
            throw Status.INTERNAL.withDescription(String.valueOf(c.getMessage())).asRuntimeException();
        }
    }

    private void requireNotInCluster() {
        if (state != null) {
            throw Status.FAILED_PRECONDITION.withDescription("this node is already part of a cluster (node "
                    + state.nodeId() + "); run 'shoal leave' first").asRuntimeException();
        }
    }

    // ---------------------------------------------------------------- init

    InitResponse init(InitRequest req) {
        return onLifecycle(() -> {
            requireNotInCluster();
            for (String cidr : req.getDefaultAddrPoolList()) {
                if (!cidr.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
                    throw new IllegalArgumentException("--default-addr-pool: '" + cidr + "' is not an IPv4 CIDR such as 10.0.0.0/8");
                }
            }
            if (req.getCertExpiryMs() != 0 && req.getCertExpiryMs() < ClusterSettings.MIN_NODE_CERT_EXPIRY.toMillis()) {
                throw new IllegalArgumentException("--cert-expiry: " + req.getCertExpiryMs() + "ms is too short: use at least 1m");
            }
            HostPort listen = listenAddr(req.getListenAddr());
            HostPort advertise = Addresses.advertise(req.getAdvertiseAddr(), listen);
            String clusterId = Ids.newId();
            String nodeId = Ids.newId();
            RootCa ca = RootCa.create(clusterId);
            byte[] kek = KeyEncryption.newKey();
            KeyPair kp = NodeKeys.generate();
            X509Certificate cert = ca.sign(NodeKeys.csr(kp, nodeId), nodeId, NodeRole.NODE_ROLE_MANAGER, clusterId,
                    List.of(advertise.host()), req.getCertExpiryMs() > 0 ? Duration.ofMillis(req.getCertExpiryMs())
                            : ClusterSettings.DEFAULT_NODE_CERT_EXPIRY);
            files.wipe();
            UnlockKey unlockKey = req.getAutolock() ? UnlockKey.generate(RANDOM) : null;
            keys.saveManager(kp.getPrivate(), Pem.encode(cert), Pem.encode(ca.certificate()), kek, unlockKey);
            String raftAddr = advertise.host() + ":" + (advertise.port() + 1);
            NodeState s = new NodeState(nodeId, clusterId, NodeState.MANAGER, advertise.toString(), listen.toString(),
                    List.of(advertise.toString()), RaftGroups.groupId(clusterId).toString(), true);
            JoinTokens tokens = JoinTokens.newBuilder()
                    .setWorker(JoinToken.generate(ca.digest(), RANDOM).toString())
                    .setManager(JoinToken.generate(ca.digest(), RANDOM).toString())
                    .build();
            Cluster cluster = FirstCluster.cluster(req, clusterId, ca, kek, tokens, unlockKey);
            Node selfNode = FirstCluster.firstManager(nodeId, raftAddr, advertise, cert, ca.digest(), options.runtime());
            ClusterMember started = null;
            try {
                started = ClusterMember.start(files, s, localRegistry, this::onSession, options, keys);
                started.manager().bootstrap(cluster, selfNode, Duration.ofSeconds(20));
                setState(s);
            } catch (IOException | RuntimeException e) {
                if (started != null) {
                    started.close();
                }
                Refusal.clusterApi(Refusal.NOT_IN_CLUSTER).forEach(localRegistry::addService);
                keys.forget();
                files.wipe();
                throw e;
            }
            member = started;
            return InitResponse.newBuilder().setNodeId(nodeId).setClusterId(clusterId)
                    .setWorkerToken(tokens.getWorker()).setManagerToken(tokens.getManager())
                    .setAdvertiseAddr(advertise.toString())
                    .setUnlockKey(unlockKey == null ? "" : unlockKey.toString()).build();
        });
    }

    InitResponse forceNewCluster() { // init --force-new-cluster: this manager alone, from its own data
        return onLifecycle(() -> {
            if (locked()) {
                throw Status.FAILED_PRECONDITION.withDescription(Refusal.LOCKED).asRuntimeException();
            }
            NodeState next = ForceNewCluster.check(state, member, files, options.electionTimeout().multipliedBy(6));
            member.closeAsOnlyVoter(ClusterMember.raftAddr(next));
            member = null;
            setState(next);
            member = ClusterMember.start(files, next, localRegistry, this::onSession, options, keys);
            return ForceNewCluster.finish(member, next);
        });
    }

    private HostPort listenAddr(String requested) {
        String v = requested == null || requested.isBlank() ? options.listenAddr() : requested;
        return Addresses.parse(v, "--listen-addr", Addresses.DEFAULT_PORT);
    }

    // ---------------------------------------------------------------- join

    JoinResponse join(JoinRequest req) {
        return onLifecycle(() -> {
            requireNotInCluster();
            JoinToken token = JoinToken.parse(req.getToken().trim());
            HostPort remote = Addresses.parse(req.getRemoteAddr(), "MANAGER_IP:PORT", Addresses.DEFAULT_PORT);
            HostPort listen = listenAddr(req.getListenAddr());
            HostPort advertise = Addresses.advertise(req.getAdvertiseAddr(), listen);
            JoinClient.Admitted admitted = JoinClient.join(remote.toString(), token, req.getToken().trim(), NodeDescriptions.hostname(),
                    advertise.toString(), NodeDescriptions.local(List.of(options.runtime()), StoreFormat.CURRENT));
            KeyPair kp = admitted.keys();
            IssueNodeCertificateResponse resp = admitted.response();
            boolean manager = resp.getRole() == NodeRole.NODE_ROLE_MANAGER;
            files.wipe();
            keys.adopt(kp.getPrivate(), resp);
            List<String> managers = resp.getManagersCount() > 0 ? resp.getManagersList() : List.of(remote.toString());
            NodeState s = new NodeState(resp.getNodeId(), resp.getClusterId(), manager ? NodeState.MANAGER : NodeState.WORKER,
                    advertise.toString(), listen.toString(), managers, resp.getRaftGroupId(), false);
            setState(s);
            ClusterMember started = ClusterMember.start(files, s, localRegistry, this::onSession, options, keys);
            member = started;
            if (manager) {
                joinRaft(started, Duration.ofSeconds(60));
            }
            return JoinResponse.newBuilder().setNodeId(resp.getNodeId()).setRole(resp.getRole())
                    .setClusterId(resp.getClusterId()).build();
        });
    }

    // ---------------------------------------------------------------- leave

    void leave(LeaveRequest req) {
        onLifecycle(() -> {
            NodeState s = state;
            if (s == null) {
                throw Status.FAILED_PRECONDITION.withDescription("this node is not part of a cluster").asRuntimeException();
            }
            if (s.isManager() && !req.getForce()) {
                throw Status.FAILED_PRECONDITION.withDescription("this node is a manager: leaving can cost the cluster its "
                        + "quorum; demote it first ('shoal node demote " + s.nodeId() + "') or use 'shoal leave --force'")
                        .asRuntimeException();
            }
            ClusterMember r = member;
            if (r != null && r.manager() != null) {
                try {
                    r.manager().leaveRaft();
                } catch (RuntimeException e) {
                    LOG.warn("could not remove this manager from the Raft group: {}", e.getMessage());
                }
            }
            if (r != null) {
                r.close();
            }
            member = null;
            synchronized (stateLock) {
                state = null;
            }
            Refusal.clusterApi(Refusal.NOT_IN_CLUSTER).forEach(localRegistry::addService);
            keys.forget();
            files.wipe();
            LOG.info("left the cluster");
            return null;
        });
    }

    // ---------------------------------------------------------------- info

    /** The store format this node's cluster agreed on, as far as its manager knows; 0 on a worker or outside a cluster. */
    int clusterStoreFormat() {
        ClusterMember m = member;
        return m == null ? 0 : m.clusterStoreFormat();
    }

    LocalInfo info() {
        NodeState s = state;
        return LocalInfos.of(s, s != null && locked(), member);
    }

    // ---------------------------------------------------------------- the node's state file

    /**
     * Changes the node's state from its current value, saved before it is visible. Every change
     * goes through here: the session thread (manager list) and the lifecycle thread (joins, role
     * changes) both change it, and a change made from a stale copy once lost the fact that this
     * manager had joined Raft, so that its later demotion was never acted on.
     */
    private NodeState updateState(UnaryOperator<NodeState> change) throws IOException {
        synchronized (stateLock) {
            NodeState cur = state;
            if (cur == null) {
                return null;
            }
            NodeState next = change.apply(cur);
            next.save(files.state());
            state = next;
            return next;
        }
    }

    /** Replaces the whole state (init, join). */
    private void setState(NodeState s) throws IOException {
        synchronized (stateLock) {
            s.save(files.state());
            state = s;
        }
    }

    /** Joins Raft as a voter through the role, then records it. */
    private void joinRaft(ClusterMember r, Duration timeout) throws IOException {
        r.joinRaft(timeout);
        updateState(cur -> cur.withRole(NodeState.MANAGER, true));
    }

    // ---------------------------------------------------------------- role changes

    private void onSession(SessionMessage m) {
        NodeState s = state;
        if (s == null) {
            return;
        }
        List<String> managers = m.getManagersList().stream().map(p -> p.getAddr()).filter(a -> !a.isEmpty()).toList();
        if (!managers.isEmpty() && !managers.equals(s.managers())) {
            try {
                updateState(cur -> cur.withManagers(managers));
            } catch (IOException e) {
                LOG.warn("cannot save the manager list: {}", e.getMessage());
            }
        }
        Node n = m.getNode();
        if (!s.isManager() && n.getSpec().getDesiredRole() == NodeRole.NODE_ROLE_MANAGER) {
            lifecycle.submit(() -> changeRole(true));
        } else if (s.isManager() && s.raftJoined() && n.getRole() == NodeRole.NODE_ROLE_WORKER
                && n.getSpec().getDesiredRole() == NodeRole.NODE_ROLE_WORKER) {
            lifecycle.submit(() -> changeRole(false));
        }
    }

    /** Promotion or demotion: a certificate for the new role, then the cluster role rebuilt around it. */
    private void changeRole(boolean toManager) {
        NodeState s = state;
        ClusterMember r = member;
        if (s == null || r == null || s.isManager() == toManager) {
            return;
        }
        LOG.info("{} this node", toManager ? "promoting" : "demoting");
        try {
            KeyPair kp = NodeKeys.generate();
            IssueNodeCertificateResponse resp = r.requestCertificate(kp);
            if ((resp.getRole() == NodeRole.NODE_ROLE_MANAGER) != toManager) {
                return; // the desired role changed again meanwhile
            }
            r.close();
            member = null;
            keys.adopt(kp.getPrivate(), resp);
            Trees.delete(files.raft());
            NodeState next = updateState(cur -> cur.withRole(toManager ? NodeState.MANAGER : NodeState.WORKER, false));
            ClusterMember started = ClusterMember.start(files, next, localRegistry, this::onSession, options, keys);
            member = started;
            if (toManager) {
                joinRaft(started, Duration.ofSeconds(60));
                if (!started.awaitLeaderKnown(Duration.ofSeconds(10))) {
                    // Seen in the lab: a member added while its server had an empty configuration
                    // sometimes never hears from the leader. Started again from its now committed
                    // storage, it does.
                    LOG.warn("this new manager has not heard from a leader; restarting its Raft member");
                    started.close();
                    member = ClusterMember.start(files, state, localRegistry, this::onSession, options, keys);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("role change failed: {}", e.getMessage(), e);
            if (member == null) {
                try {
                    member = ClusterMember.start(files, state, localRegistry, this::onSession, options, keys);
                } catch (IOException | RuntimeException e2) {
                    LOG.error("cannot restart the cluster role: {}", e2.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        lifecycle.shutdownNow();
        ClusterMember r = member;
        if (r != null) {
            r.close();
        }
        if (socketServer != null) {
            socketServer.shutdownNow();
        }
        try {
            Files.deleteIfExists(options.socket());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
