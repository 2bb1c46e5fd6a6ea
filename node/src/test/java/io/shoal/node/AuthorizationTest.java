package io.shoal.node;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.GetJoinTokensRequest;
import io.shoal.api.GetNodeRequest;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.IssueClientCertificateRequest;
import io.shoal.api.IssueClientCertificateResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.ReplicatedService;
import io.shoal.api.RotateJoinTokenRequest;
import io.shoal.api.UpdateNodeRequest;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Authorization by the role in the certificate, over real mutual TLS: a manager and a worker in
 * one JVM. A worker's certificate administers nothing (and changes nothing); an operator
 * certificate from {@code ClusterSecurity/IssueClientCertificate} does what a manager's socket does;
 * a worker's own socket and cluster port send clients to a manager.
 */
class AuthorizationTest {
    @TempDir
    static Path dir;
    static NodeDaemon manager;
    static NodeDaemon worker;
    static final List<ManagedChannel> channels = new ArrayList<>();
    static int managerPort;
    static int workerPort;

    static NodeDaemon daemon(String name, int port) throws IOException {
        Path data = dir.resolve(name);
        DaemonOptions o = new DaemonOptions(data, dir.resolve(name + ".sock"), "runc", "127.0.0.1:" + port, List.of(), 1000,
                new InProcessClusterTest.FakeExecutor(), id -> data.resolve("no-logs"), List.of());
        NodeDaemon d = new NodeDaemon(o);
        d.start();
        return d;
    }

    static ManagedChannel socket(String name) {
        ManagedChannel ch = LocalSocket.connect(dir.resolve(name + ".sock"));
        channels.add(ch);
        return ch;
    }

    static ManagedChannel tls(int port, SslContext ctx) {
        ManagedChannel ch = Tls.channel("127.0.0.1:" + port, ctx);
        channels.add(ch);
        return ch;
    }

    static ControlGrpc.ControlBlockingStub control(ManagedChannel ch) {
        return ControlGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @BeforeAll
    static void cluster() throws Exception {
        managerPort = InProcessClusterTest.freePortPair();
        manager = daemon("m1", managerPort);
        InitResponse init = manager.init(InitRequest.newBuilder().setListenAddr("127.0.0.1:" + managerPort)
                .setAdvertiseAddr("127.0.0.1:" + managerPort).build());
        workerPort = InProcessClusterTest.freePortPair();
        worker = daemon("w1", workerPort);
        worker.join(JoinRequest.newBuilder().setToken(init.getWorkerToken()).setRemoteAddr("127.0.0.1:" + managerPort)
                .setListenAddr("127.0.0.1:" + workerPort).setAdvertiseAddr("127.0.0.1:" + workerPort).build());
        InProcessClusterTest.await("both nodes ready", Duration.ofSeconds(60),
                () -> control(socket("m1")).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
                n -> n.size() == 2 && n.stream().allMatch(v -> v.getNode().getStatus().getState() == NodeStatus.State.READY));
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (worker != null) {
            worker.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    static StatusRuntimeException refused(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), String.valueOf(e.getStatus()));
        return e;
    }

    @Test
    void aWorkersCertificateAdministersNothingAndChangesNothing() throws Exception {
        String before = control(socket("m1")).getJoinTokens(GetJoinTokensRequest.getDefaultInstance()).toString();
        ManagedChannel asWorker = tls(managerPort, Tls.client(new NodeFiles(dir.resolve("w1")).loadIdentity()));
        String workerId = worker.info().getNodeId();
        StatusRuntimeException create = refused(Status.Code.PERMISSION_DENIED, () -> control(asWorker).createService(
                CreateServiceRequest.newBuilder().setSpec(InProcessClusterTest.spec("evil").toBuilder()
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(1))).build()));
        assertTrue(create.getStatus().getDescription().startsWith("permission denied: a worker's certificate may not call shoal.Control/CreateService"),
                create.getStatus().getDescription());
        refused(Status.Code.PERMISSION_DENIED, () -> control(asWorker).getJoinTokens(GetJoinTokensRequest.getDefaultInstance()));
        refused(Status.Code.PERMISSION_DENIED, () -> control(asWorker).rotateJoinToken(RotateJoinTokenRequest.newBuilder().setManager(true).build()));
        refused(Status.Code.PERMISSION_DENIED, () -> control(asWorker).updateNode(UpdateNodeRequest.newBuilder().setNode(workerId)
                .setSetRole(true).setRole(NodeRole.NODE_ROLE_MANAGER).build()));
        refused(Status.Code.PERMISSION_DENIED, () -> control(asWorker).listNodes(ListNodesRequest.getDefaultInstance()));
        refused(Status.Code.PERMISSION_DENIED, () -> ClusterSecurityGrpc.newBlockingStub(asWorker).withDeadlineAfter(20, TimeUnit.SECONDS)
                .issueClientCertificate(IssueClientCertificateRequest.newBuilder()
                        .setPublicKey(ByteString.copyFrom(NodeKeys.generate().getPublic().getEncoded())).build()));

        ControlGrpc.ControlBlockingStub admin = control(socket("m1"));
        assertEquals(before, admin.getJoinTokens(GetJoinTokensRequest.getDefaultInstance()).toString(), "tokens unchanged");
        assertTrue(admin.listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
                .noneMatch(x -> x.getSpec().getAnnotations().getName().equals("evil")), "no service made");
        assertEquals(NodeRole.NODE_ROLE_WORKER, admin.getNode(GetNodeRequest.newBuilder().setNode(workerId).build())
                .getNode().getSpec().getDesiredRole(), "not promoted");
    }

    @Test
    void anOperatorCertificateAdministersTheClusterOverTcp() throws Exception {
        KeyPair kp = NodeKeys.generate();
        IssueClientCertificateResponse r = ClusterSecurityGrpc.newBlockingStub(socket("m1")).withDeadlineAfter(20, TimeUnit.SECONDS)
                .issueClientCertificate(IssueClientCertificateRequest.newBuilder()
                        .setPublicKey(ByteString.copyFrom(kp.getPublic().getEncoded())).setValidityMs(Duration.ofHours(1).toMillis()).build());
        assertTrue(r.getOperatorId().startsWith("operator-"), r.getOperatorId());
        SslContext ctx = client(kp, Pem.parseCertificate(r.getCertPem()), Pem.parseCertificate(r.getCaCertPem()));
        ManagedChannel asOperator = tls(managerPort, ctx);
        assertEquals(2, control(asOperator).listNodes(ListNodesRequest.getDefaultInstance()).getNodesCount());
        control(asOperator).createService(CreateServiceRequest.newBuilder().setSpec(InProcessClusterTest.spec("ops").toBuilder()
                .setReplicated(ReplicatedService.newBuilder().setReplicas(0))).build());
        assertTrue(control(socket("m1")).listServices(ListServicesRequest.getDefaultInstance()).getServicesList().stream()
                .anyMatch(x -> x.getSpec().getAnnotations().getName().equals("ops")));

        // a worker's cluster port sends an operator to a manager, as its socket does
        StatusRuntimeException atWorker = refused(Status.Code.FAILED_PRECONDITION,
                () -> control(tls(workerPort, ctx)).listNodes(ListNodesRequest.getDefaultInstance()));
        assertEquals(Refusal.NOT_A_MANAGER, atWorker.getStatus().getDescription());
    }

    @Test
    void aWorkersSocketSendsClientsToAManager() {
        StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION,
                () -> control(socket("w1")).listNodes(ListNodesRequest.getDefaultInstance()));
        assertEquals("this node is not a manager: use a manager's socket or -H tcp://MANAGER", e.getStatus().getDescription());
        refused(Status.Code.FAILED_PRECONDITION, () -> ClusterSecurityGrpc.newBlockingStub(socket("w1")).withDeadlineAfter(20, TimeUnit.SECONDS)
                .issueClientCertificate(IssueClientCertificateRequest.getDefaultInstance()));
        assertEquals(List.of("127.0.0.1:" + managerPort), worker.info().getManagerAddrsList(), "info names the managers to use");
    }

    @Test
    void noCertificateOrAnotherClustersIsRefused() throws Exception {
        X509Certificate ca = new NodeFiles(dir.resolve("m1")).loadIdentity().ca();
        StatusRuntimeException anonymous = refused(Status.Code.UNAUTHENTICATED,
                () -> control(tls(managerPort, Tls.anonymousClient(ca))).listNodes(ListNodesRequest.getDefaultInstance()));
        assertEquals("this call needs a certificate of this cluster", anonymous.getStatus().getDescription());

        RootCa foreign = RootCa.create("another-cluster");
        KeyPair kp = NodeKeys.generate();
        X509Certificate stranger = foreign.sign(NodeKeys.csr(kp, "x"), "n1", NodeRole.NODE_ROLE_MANAGER, "another-cluster",
                List.of("127.0.0.1"), Duration.ofHours(1));
        // the stranger's certificate is of no CA the server names, so the client keeps it to itself
        // (or, presented, it fails the handshake): either way the call is refused
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> control(tls(managerPort, client(kp, stranger, ca))).listNodes(ListNodesRequest.getDefaultInstance()));
        assertTrue(e.getStatus().getCode() == Status.Code.UNAUTHENTICATED || e.getStatus().getCode() == Status.Code.UNAVAILABLE,
                e.getStatus().toString());
    }

    static SslContext client(KeyPair kp, X509Certificate cert, X509Certificate ca) throws SSLException {
        return GrpcSslContexts.forClient().keyManager(kp.getPrivate(), cert).trustManager(ca).build();
    }
}
