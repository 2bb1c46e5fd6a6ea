package io.shoal.node;

import com.google.protobuf.ByteString;
import io.grpc.Channel;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.util.MutableHandlerRegistry;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.JoinRaftRequest;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.NodeRole;
import io.shoal.api.RaftMembershipGrpc;
import io.shoal.api.RenewNodeCertificateRequest;
import io.shoal.api.SessionMessage;
import io.shoal.manager.Manager;
import io.shoal.manager.ManagerMetrics;
import io.shoal.manager.ca.CertVerifier;
import io.shoal.manager.ca.NodeIdentity;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.membership.RaftGroups;
import io.shoal.manager.raft.RaftSettings;
import io.shoal.manager.rpc.AuthInterceptor;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreFormat;
import io.shoal.manager.store.Watch;
import io.shoal.manager.rpc.Forwarder;
import io.shoal.manager.rpc.MalformedRequests;
import io.shoal.manager.rpc.OneLineErrors;
import io.shoal.node.Addresses.HostPort;
import io.shoal.node.RenewalSchedule.Validity;
import io.shoal.worker.agent.Agent;
import io.shoal.worker.agent.NodeDescriptions;
import io.shoal.worker.agent.TaskManager;
import io.shoal.worker.exec.TaskStep;
import io.shoal.worker.logs.NodeLogsService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.function.Consumer;

/**
 * Everything a node runs while it is in a cluster: the mutual-TLS cluster port, the manager role
 * (Raft member and services) when it is a manager, and the worker agent always. Built from the
 * node's data dir; torn down and rebuilt whole when the node's role changes. Its certificate is
 * renewed in place ({@link CertRenewer}), with no restart.
 */
final class ClusterMember implements AutoCloseable {
    private static final ExecutorService VIRTUAL = Executors.newVirtualThreadPerTaskExecutor();
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMember.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final NodeFiles files;
    /** writes the renewed key pair (sealed under the KEK while autolock locks it) */
    private final ManagerKeys keys;
    private volatile NodeState state;
    private final NodeTls tls;
    private final TlsChannelPool pool;
    private final Manager manager;
    private final ManagerMetrics managerMetrics;
    private final WorkerMetrics workerMetrics;
    /** A manager: where its Control calls go, served here (null) while it leads, else the leader; null on a worker. */
    private final Forwarder.Route controlRoute;
    private final Agent agent;
    private final TaskManager tasks;
    private final Server server;
    private final MutableHandlerRegistry localRegistry;
    /** the cluster API (or its refusal, on a worker) as the local socket serves it */
    private final List<ServerServiceDefinition> localApi;
    private final CertRenewer renewer;
    /** a manager: keeps certs/kek as the cluster object says (autolock); null on a worker */
    private final Thread keyFollower;

    private ClusterMember(NodeFiles files, NodeState state, MutableHandlerRegistry localRegistry,
                        Consumer<SessionMessage> onSession, DaemonOptions options, ManagerKeys keys) throws IOException {
        this.files = files;
        this.keys = keys;
        this.state = state;
        this.localRegistry = localRegistry;
        NodeFiles.Identity id = files.loadIdentity(keys.known());
        this.tls = new NodeTls(id);
        this.pool = new TlsChannelPool(tls);
        HostPort advertise = Addresses.parse(state.advertiseAddr(), "advertise address", Addresses.DEFAULT_PORT);
        HostPort listen = Addresses.parse(state.listenAddr(), "listen address", Addresses.DEFAULT_PORT);

        List<String> managers = new ArrayList<>(state.managers());
        List<ServerServiceDefinition> services = new ArrayList<>();
        if (state.isManager()) {
            String raftHost = Addresses.isUnspecified(listen.host()) ? advertise.host() : listen.host();
            Map<String, String> bootstrap = state.raftJoined()
                    ? Map.of(state.nodeId(), advertise.host() + ":" + (advertise.port() + 1))
                    : Map.of();
            RaftSettings raft = new RaftSettings(state.nodeId(), raftHost, advertise.port() + 1, files.raft(),
                    UUID.fromString(state.raftGroupId()), bootstrap,
                    new RaftSettings.Tls(tls.keyManager(), tls.trustManager()), options.snapshotThreshold(),
                    options.electionTimeout(), options.electionTimeout().multipliedBy(2));
            this.manager = Manager.start(new Manager.Config(state.nodeId(), state.advertiseAddr(), raft, keys.kek()));
            this.managerMetrics = manager.bindMetrics(options.metrics());
            this.controlRoute = manager.leaderRoute(pool);
            services.addAll(manager.services(controlRoute, pool));
            managers.remove(state.advertiseAddr());
            managers.add(0, state.advertiseAddr());
            this.keyFollower = Thread.ofVirtual().name("kek-follower").start(() -> followKeys(manager, keys));
        } else {
            this.keyFollower = null;
            this.manager = null;
            this.managerMetrics = null;
            this.controlRoute = null;
        }
        this.tasks = new TaskManager(options.executor(), new TaskStep(System::currentTimeMillis));
        this.workerMetrics = WorkerMetrics.bind(options.metrics(), tasks);
        // before the agent: its first session message may already ask for a renewal (a root rotation)
        this.renewer = new CertRenewer(Validity.of(id.cert()), this::renewIdentity, Clock.systemUTC(), RANDOM,
                CertRenewer.threadTimer("cert-renewal"));
        Consumer<SessionMessage> sessions = m -> {
            onRoots(m.getTrustedRootsPem(), m.getIssuingCaDigest());
            onSession.accept(m);
        };
        this.agent = new Agent(managers, pool::get, () -> NodeDescriptions.local(List.of(options.runtime()), StoreFormat.CURRENT),
                state.advertiseAddr(), sessions, tasks);
        if (options.overlay() != null) {
            options.overlay().configure(state.nodeId(), advertise.host());
            var overlay = options.overlay();
            agent.onNetworks(overlay::update);
        }
        if (manager == null) {
            // a worker's identity never administers the cluster: clients must go to a manager
            services.addAll(Refusal.clusterApi(Refusal.NOT_A_MANAGER));
        }
        services.add(new NodeLogsService(options.taskLogs(), NodeDescriptions.hostname()).bindService());
        services.add(new VersionService(this::clusterStoreFormat).bindService());
        Set<String> clusterApi = Refusal.CLUSTER_API.stream().map(d -> d.getName()).collect(Collectors.toSet());
        // the last interceptor runs first: calls refused by authorization are counted too, and
        // every error, whoever raised it, leaves as one bounded line
        ServerInterceptor calls = WorkerMetrics.grpc(options.metrics());
        ServerInterceptor oneLine = new OneLineErrors();
        this.localApi = services.stream()
                .filter(d -> clusterApi.contains(d.getServiceDescriptor().getName()))
                .map(d -> ServerInterceptors.intercept(MalformedRequests.guard(d), AuthInterceptor.local(), calls, oneLine))
                .toList();

        AuthInterceptor auth = AuthInterceptor.clusterPort(state.clusterId());
        NettyServerBuilder sb = NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port()))
                .sslContext(Tls.server(tls))
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                // calls run on virtual threads: most are short (heartbeats, status reports) and the
                // few that block (forwarding to the leader, a session waiting for its node's commit)
                // cost no platform thread; heartbeats never block and run on the transport's thread
                .executor(VIRTUAL)
                .callExecutor(new InlineCalls());
        for (ServerServiceDefinition d : services) {
            sb.addService(ServerInterceptors.intercept(MalformedRequests.guard(d), auth, calls, oneLine));
        }
        try {
            this.server = sb.build().start();
        } catch (IOException e) {
            closeQuietly();
            throw new IOException("cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        localApi.forEach(localRegistry::addService);
        renewer.start();
        LOG.info("node {} ({}) is serving the cluster port on {}", state.nodeId(), state.role(), listen);
    }

    static ClusterMember start(NodeFiles files, NodeState state, MutableHandlerRegistry localRegistry,
                             Consumer<SessionMessage> onSession, DaemonOptions options, ManagerKeys keys) throws IOException {
        return new ClusterMember(files, state, localRegistry, onSession, options, keys);
    }

    /**
     * Keeps this manager's key file as its store's cluster object says (autolock on or off, the
     * unlock key rotated), from the first state it holds on, until the member closes.
     */
    private static void followKeys(Manager manager, ManagerKeys keys) {
        try (Watch w = manager.store().watch()) {
            while (true) {
                try {
                    var cluster = manager.store().view(tx -> tx.cluster());
                    if (cluster.isPresent()) {
                        keys.follow(cluster.get());
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot keep this manager's key-encryption key as the cluster says: {}", e.getMessage());
                }
                StoreEvent e;
                do {
                    e = w.take();
                } while (!concernsCluster(e));
            }
        } catch (InterruptedException e) {
            // the member is closing
        }
    }

    private static boolean concernsCluster(StoreEvent e) {
        return e.type() == StoreEvent.Type.RESET
                || e.after() != null && e.after().hasCluster() || e.before() != null && e.before().hasCluster();
    }

    /**
     * Renews this node's certificate in place: a new key, a certificate for it from a manager's CA
     * (over this node's mutual TLS, so the CA knows who asks), saved, then presented by every new
     * handshake. A certificate for another role than the one this node runs is not installed: the
     * cluster is promoting or demoting the node, and the role change brings its own certificate.
     */
    private Validity renewIdentity() throws IOException {
        KeyPair kp = NodeKeys.generate();
        IssueNodeCertificateResponse resp = requestCertificate(kp);
        NodeRole running = state.isManager() ? NodeRole.NODE_ROLE_MANAGER : NodeRole.NODE_ROLE_WORKER;
        if (resp.getRole() != running) {
            throw new IllegalStateException("the cluster is changing this node's role; the role change renews its certificate");
        }
        List<X509Certificate> chain = Pem.parseCertificates(resp.getCertPem());
        // the certificate may be under a root this node does not trust yet (a rotation started and
        // its session has not said so yet): the manager, reached over mutual TLS, names it. What
        // this node trusts changes only as its session says (onRoots), never here: an answer's
        // roots may be older than the session's last word (a rotation that completed meanwhile).
        List<X509Certificate> roots = new ArrayList<>(tls.identity().roots());
        if (!resp.getCaCertPem().isEmpty()) {
            roots.addAll(Pem.parseCertificates(resp.getCaCertPem()));
        }
        X509Certificate cert = chain.get(0);
        NodeIdentity who = CertVerifier.verify(cert, issuerOf(cert, roots), state.clusterId());
        if (!who.nodeId().equals(state.nodeId()) || !cert.getPublicKey().equals(kp.getPublic())) {
            throw new IllegalStateException("the CA answered with a certificate for another node or key");
        }
        keys.savePair(kp.getPrivate(), resp.getCertPem());
        tls.present(kp.getPrivate(), chain);
        return Validity.of(cert);
    }

    /** The root among {@code roots} that signed {@code cert}, or the first (which then refuses it). */
    private static X509Certificate issuerOf(X509Certificate cert, List<X509Certificate> roots) {
        return roots.stream().filter(r -> signedBy(cert, r)).findFirst().orElse(roots.get(0));
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate root) {
        if (!cert.getIssuerX500Principal().equals(root.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(root.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String rootsPem(List<X509Certificate> roots) {
        return roots.stream().map(Pem::encode).collect(Collectors.joining());
    }

    /**
     * What this node's session says of the cluster's roots: trusts {@code trustedRootsPem} from the
     * next handshake on (both roots while a rotation runs, the new one alone after), kept in the data
     * dir; and renews at once when its certificate was not issued by the root whose digest is
     * {@code issuingDigest} (a rotation started). Empty values (an older manager) change nothing.
     */
    private void onRoots(String trustedRootsPem, String issuingDigest) {
        if (trustedRootsPem.isEmpty() || issuingDigest.isEmpty()) {
            return;
        }
        try {
            List<X509Certificate> roots = Pem.parseCertificates(trustedRootsPem);
            if (!roots.equals(tls.identity().roots())) {
                files.saveRoots(rootsPem(roots));
                tls.trust(roots);
                LOG.info("this node now trusts {} root(s) of its cluster: {}", roots.size(),
                        roots.stream().map(r -> r.getSubjectX500Principal().getName()).toList());
            }
            if (renewalDue(issuingDigest)) {
                LOG.info("the cluster issues certificates under another root now (a root rotation): renewing this node's");
                renewer.renewNow(() -> renewalDue(issuingDigest));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot take the cluster's roots from the session: {}", e.getMessage());
        }
    }

    /** This node's certificate was not issued by the root {@code digest} names (among the roots it trusts). */
    private boolean renewalDue(String digest) {
        NodeFiles.Identity id = tls.identity();
        return id.roots().stream().filter(r -> RootCa.digest(r).equals(digest)).findFirst()
                .map(root -> !signedBy(id.cert(), root)).orElse(false);
    }

    /** A certificate for {@code kp} from the first manager that answers; the role is the one the cluster wants. */
    IssueNodeCertificateResponse requestCertificate(KeyPair kp) {
        RuntimeException last = null;
        for (String m : agent.managers()) {
            try {
                return NodeCAGrpc.newBlockingStub(pool.get(m)).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .renewNodeCertificate(RenewNodeCertificateRequest.newBuilder()
                                .setCsr(ByteString.copyFrom(NodeKeys.csr(kp, "renew"))).build());
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last != null ? last : new IllegalStateException("no manager known to renew the certificate");
    }

    /** The certificate this node presents now. */
    X509Certificate certificate() {
        return tls.identity().cert();
    }

    /** The identity every endpoint of this member presents and trusts; {@link #renewIdentity} installs into it. */
    NodeTls tls() {
        return tls;
    }

    /** The store format the managers agreed on (from this manager's store), 0 on a worker. */
    int clusterStoreFormat() {
        return manager == null ? 0 : manager.store().view(tx -> StoreFormat.agreed(tx.nodes()));
    }

    NodeState state() {
        return state;
    }

    Manager manager() {
        return manager;
    }

    Agent agent() {
        return agent;
    }

    TlsChannelPool pool() {
        return pool;
    }

    /**
     * For a manager the leader has not added yet: asks (through any known manager) to be made a
     * voter, retrying until it is or the timeout passes. The caller records the outcome in the
     * node's state (joining again after a crash in between is harmless: the leader finds the
     * member already there).
     */
    void joinRaft(Duration timeout) throws IOException {
        if (manager == null || state.raftJoined()) {
            return;
        }
        String raftAddr = raftAddr(state);
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            for (String m : state.managers()) {
                if (m.equals(state.advertiseAddr())) {
                    continue;
                }
                try {
                    RaftMembershipGrpc.newBlockingStub(pool.get(m)).withDeadlineAfter(20, TimeUnit.SECONDS)
                            .joinRaft(JoinRaftRequest.newBuilder().setRaftAddr(raftAddr).build());
                    LOG.info("joined the Raft group as {}", raftAddr);
                    return;
                } catch (RuntimeException e) {
                    last = e;
                    LOG.info("joining the Raft group through {} failed: {}", m, e.getMessage());
                }
            }
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IOException("the leader did not add this manager to the Raft group: "
                + (last == null ? "no manager known" : last.getMessage()));
    }

    /**
     * What the cluster is, for the local user's {@code shoal info} on a manager: answered here when
     * this manager leads, otherwise by one call over this node's own channels to the leader, as it
     * would relay the user's own call. A worker asks nobody (its identity may not read the cluster).
     */
    ClusterInfo clusterInfo(Duration timeout) {
        if (controlRoute == null) {
            throw Status.FAILED_PRECONDITION.withDescription(Refusal.NOT_A_MANAGER).asRuntimeException();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Channel target = controlRoute.target(0);
        if (target == null) {
            return manager.clusterInfo();
        }
        return ControlGrpc.newBlockingStub(Forwarder.onBehalf(target, Caller.LOCAL))
                .withDeadlineAfter(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                .getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
    }

    /** For a manager: whether its Raft member learns who leads, and where, within {@code timeout}. */
    boolean awaitLeaderKnown(Duration timeout) {
        return manager == null || manager.awaitLeaderKnown(timeout);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            LOG.warn("cleanup failed", e);
        }
    }

    /** The address of this manager's Raft member, as its peers reach it. */
    static String raftAddr(NodeState state) {
        HostPort advertise = Addresses.parse(state.advertiseAddr(), "advertise address", Addresses.DEFAULT_PORT);
        return advertise.host() + ":" + (advertise.port() + 1);
    }

    /**
     * For a manager: stops everything, leaving its Raft storage such that the manager, started
     * again, is its group's only voter at {@code raftAddr} ({@code init --force-new-cluster}).
     */
    void closeAsOnlyVoter(String raftAddr) {
        close(() -> manager.closeAsOnlyVoter(raftAddr));
    }

    @Override
    public void close() {
        close(manager == null ? () -> { } : manager::close);
    }

    private void close(Runnable stopManager) {
        if (keyFollower != null) {
            keyFollower.interrupt();
        }
        if (renewer != null) {
            renewer.close();
        }
        if (managerMetrics != null) {
            managerMetrics.close();
        }
        if (workerMetrics != null) {
            workerMetrics.close();
        }
        if (localApi != null) {
            localApi.forEach(localRegistry::removeService);
        }
        if (agent != null) {
            agent.close();
        }
        if (tasks != null) {
            tasks.close(); // containers keep running under conmon; a restarted daemon adopts them
        }
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (manager != null) {
            stopManager.run();
        }
        pool.close();
    }
}
