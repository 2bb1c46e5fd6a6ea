package io.shoal.node;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetJoinTokensRequest;
import io.shoal.api.GetRootRotationRequest;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.IssueNodeCertificateRequest;
import io.shoal.api.JoinRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.NodeStatus;
import io.shoal.api.RenewNodeCertificateRequest;
import io.shoal.api.RootRotationStatus;
import io.shoal.api.RotateRootCARequest;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.RootCa;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A root CA rotation over real mutual TLS, a manager and a worker in one JVM: both nodes renew under
 * the new root by themselves (told by their sessions), without a restart; when both have, each
 * trusts the new root alone (in memory and in its data dir), a certificate of the old root is
 * refused at the handshake, the old join token is refused, and a node joins with the new one.
 */
class RootRotationTest {
    @TempDir
    static Path dir;
    static final List<NodeDaemon> daemons = new ArrayList<>();
    static final List<ManagedChannel> channels = new ArrayList<>();
    static int managerPort;
    static InitResponse init;

    static NodeDaemon daemon(String name, int port) throws IOException {
        Path data = dir.resolve(name);
        DaemonOptions o = new DaemonOptions(data, dir.resolve(name + ".sock"), "runc", "127.0.0.1:" + port, List.of(), 1000,
                new InProcessClusterTest.FakeExecutor(), id -> data.resolve("no-logs"), List.of());
        NodeDaemon d = new NodeDaemon(o);
        daemons.add(d);
        d.start();
        return d;
    }

    static <T extends io.grpc.stub.AbstractStub<T>> T deadline(T stub) {
        return stub.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static ManagedChannel socket() {
        ManagedChannel ch = LocalSocket.connect(dir.resolve("m1.sock"));
        channels.add(ch);
        return ch;
    }

    static NodeDaemon join(String name, String token) throws IOException {
        int port = InProcessClusterTest.freePortPair();
        NodeDaemon d = daemon(name, port);
        d.join(JoinRequest.newBuilder().setToken(token).setRemoteAddr("127.0.0.1:" + managerPort)
                .setListenAddr("127.0.0.1:" + port).setAdvertiseAddr("127.0.0.1:" + port).build());
        return d;
    }

    static void awaitReady(int nodes) throws InterruptedException {
        InProcessClusterTest.await(nodes + " nodes ready", Duration.ofSeconds(60),
                () -> deadline(ControlGrpc.newBlockingStub(socket())).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
                n -> n.size() == nodes && n.stream().allMatch(v -> v.getNode().getStatus().getState() == NodeStatus.State.READY));
    }

    @BeforeAll
    static void cluster() throws Exception {
        managerPort = InProcessClusterTest.freePortPair();
        NodeDaemon m = daemon("m1", managerPort);
        init = m.init(InitRequest.newBuilder().setListenAddr("127.0.0.1:" + managerPort)
                .setAdvertiseAddr("127.0.0.1:" + managerPort).build());
        join("w1", init.getWorkerToken());
        awaitReady(2);
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        daemons.reversed().forEach(NodeDaemon::close);
    }

    static NodeFiles.Identity identity(String name) {
        try {
            return new NodeFiles(dir.resolve(name)).loadIdentity();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void everyNodeMovesToTheNewRootAndTheOldOneIsRefusedAfterwards() throws Exception {
        NodeFiles.Identity oldWorker = identity("w1");
        X509Certificate oldRoot = oldWorker.ca();
        ClusterMember workerMember = daemons.get(1).member();
        ClusterMember managerMember = daemons.get(0).member();

        RootRotationStatus started = deadline(ClusterSecurityGrpc.newBlockingStub(socket())).rotateRootCA(RotateRootCARequest.getDefaultInstance());
        assertEquals(RootCa.digest(oldRoot), started.getCurrentCaDigest());
        String target = started.getTargetCaDigest();
        assertNotEquals(target, started.getCurrentCaDigest());
        RootRotationStatus done = InProcessClusterTest.await("the rotation completed", Duration.ofSeconds(90),
                () -> deadline(ClusterSecurityGrpc.newBlockingStub(socket())).getRootRotation(GetRootRotationRequest.getDefaultInstance()),
                s -> !s.getRotating() && s.getCurrentCaDigest().equals(target));
        assertEquals(2, done.getRotated());
        assertEquals(2, done.getTotal());

        // each node trusts the new root alone, in its data dir too, and holds a certificate under it
        for (String name : List.of("m1", "w1")) {
            NodeFiles.Identity id = InProcessClusterTest.await(name + " trusts the new root alone", Duration.ofSeconds(30),
                    () -> identity(name), i -> i.roots().size() == 1 && RootCa.digest(i.ca()).equals(target));
            id.cert().verify(id.ca().getPublicKey());
        }
        assertSame(workerMember, daemons.get(1).member(), "the worker was restarted");
        assertSame(managerMember, daemons.get(0).member(), "the manager was restarted");
        X509Certificate shown = CertRenewalTest.presented(managerPort);
        shown.verify(identity("m1").ca().getPublicKey());

        // the worker's certificate of the old root is refused at the handshake
        ManagedChannel asOld = Tls.channel("127.0.0.1:" + managerPort, Tls.client(oldWorker));
        channels.add(asOld);
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> deadline(NodeCAGrpc.newBlockingStub(asOld))
                .renewNodeCertificate(RenewNodeCertificateRequest.newBuilder()
                        .setCsr(ByteString.copyFrom(NodeKeys.csr(NodeKeys.generate(), "x"))).build()));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), String.valueOf(refused.getStatus()));

        // the old join token is refused; the new one pins the new root and admits a node
        ManagedChannel anonymous = Tls.channel("127.0.0.1:" + managerPort, Tls.bootstrapClient());
        channels.add(anonymous);
        StatusRuntimeException oldToken = assertThrows(StatusRuntimeException.class, () -> deadline(NodeCAGrpc.newBlockingStub(anonymous))
                .issueNodeCertificate(IssueNodeCertificateRequest.newBuilder().setToken(init.getWorkerToken())
                        .setCsr(ByteString.copyFrom(NodeKeys.csr(NodeKeys.generate(), "x"))).setHostname("x").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, oldToken.getStatus().getCode());
        String newToken = deadline(ControlGrpc.newBlockingStub(socket())).getJoinTokens(GetJoinTokensRequest.getDefaultInstance()).getWorker();
        assertTrue(newToken.contains(target), newToken);
        join("w2", newToken);
        awaitReady(3);
        assertEquals(target, RootCa.digest(identity("w2").ca()));
    }
}
