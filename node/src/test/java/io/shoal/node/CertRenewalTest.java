package io.shoal.node;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetRootCARequest;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.NodeStatus;
import io.shoal.api.RemoveNodeRequest;
import io.shoal.api.RenewNodeCertificateRequest;
import io.shoal.manager.ca.NodeKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Renewal in place over real mutual TLS, a manager and a worker in one JVM with one-minute
 * certificates: both renew by themselves, the files on disk and what the cluster port presents to a
 * new connection change, connections made before keep working, the worker stays Ready; a removed
 * node's renewal is refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertRenewalTest {
    @TempDir
    static Path dir;
    static NodeDaemon manager;
    static NodeDaemon worker;
    static int managerPort;
    static int workerPort;
    static final List<ManagedChannel> channels = new ArrayList<>();

    static NodeDaemon daemon(String name, int port) throws IOException {
        Path data = dir.resolve(name);
        DaemonOptions o = new DaemonOptions(data, dir.resolve(name + ".sock"), "runc", "127.0.0.1:" + port, List.of(), 1000,
                new InProcessClusterTest.FakeExecutor(), id -> data.resolve("no-logs"), List.of());
        NodeDaemon d = new NodeDaemon(o);
        d.start();
        return d;
    }

    static ControlGrpc.ControlBlockingStub control() {
        ManagedChannel ch = LocalSocket.connect(dir.resolve("m1.sock"));
        channels.add(ch);
        return ControlGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @BeforeAll
    static void cluster() throws Exception {
        managerPort = InProcessClusterTest.freePortPair();
        manager = daemon("m1", managerPort);
        InitResponse init = manager.init(InitRequest.newBuilder().setListenAddr("127.0.0.1:" + managerPort)
                .setAdvertiseAddr("127.0.0.1:" + managerPort).setCertExpiryMs(Duration.ofMinutes(1).toMillis()).build());
        workerPort = InProcessClusterTest.freePortPair();
        worker = daemon("w1", workerPort);
        worker.join(JoinRequest.newBuilder().setToken(init.getWorkerToken()).setRemoteAddr("127.0.0.1:" + managerPort)
                .setListenAddr("127.0.0.1:" + workerPort).setAdvertiseAddr("127.0.0.1:" + workerPort).build());
        awaitReady();
    }

    static void awaitReady() throws InterruptedException {
        InProcessClusterTest.await("both nodes ready", Duration.ofSeconds(60),
                () -> control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList(),
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

    static X509Certificate onDisk(String name) {
        try {
            return new NodeFiles(dir.resolve(name)).loadIdentity().cert();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate a new TLS connection to {@code port} is shown. */
    static X509Certificate presented(int port) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
                @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
                @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            }}, null);
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                s.startHandshake();
                return (X509Certificate) s.getSession().getPeerCertificates()[0];
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(1)
    void everyNodeRenewsItsOwnCertificateWithoutARestart() throws Exception {
        X509Certificate m0 = onDisk("m1");
        X509Certificate w0 = onDisk("w1");
        ClusterMember managerMember = manager.member();
        ClusterMember workerMember = worker.member();
        // a channel made before the renewal, with the worker's first identity
        ManagedChannel old = Tls.channel("127.0.0.1:" + managerPort, Tls.client(new NodeFiles(dir.resolve("w1")).loadIdentity()));
        channels.add(old);
        NodeCAGrpc.newBlockingStub(old).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getRootCA(GetRootCARequest.getDefaultInstance());
        assertEquals(m0.getSerialNumber(), presented(managerPort).getSerialNumber());

        // a one-minute certificate (backdated 6 s) is renewed 27-47 s after its issue: a notAfter
        // 50 s later than the first one's takes two renewals
        InProcessClusterTest.await("both certificates renewed twice", Duration.ofMinutes(4),
                () -> List.of(onDisk("m1"), onDisk("w1")),
                c -> c.get(0).getNotAfter().getTime() >= m0.getNotAfter().getTime() + 50_000
                        && c.get(1).getNotAfter().getTime() >= w0.getNotAfter().getTime() + 50_000);
        X509Certificate m1 = onDisk("m1");
        X509Certificate w1 = onDisk("w1");
        assertFalse(m1.getSerialNumber().equals(m0.getSerialNumber()));
        assertFalse(m1.getPublicKey().equals(m0.getPublicKey()), "a renewal makes a new key");
        assertTrue(m1.getSubjectX500Principal().getName().contains("OU=shoal-manager"), m1.getSubjectX500Principal().getName());
        assertTrue(w1.getSubjectX500Principal().getName().contains("OU=shoal-worker"), w1.getSubjectX500Principal().getName());

        // no restart: the same cluster members, now presenting the renewed certificate to new connections
        assertTrue(manager.member() == managerMember && worker.member() == workerMember, "a node was restarted");
        X509Certificate shown = InProcessClusterTest.await("the cluster port presents the file's certificate", Duration.ofSeconds(60),
                () -> List.of(presented(managerPort), onDisk("m1")),
                l -> l.get(0).getSerialNumber().equals(l.get(1).getSerialNumber())).get(0);
        assertTrue(shown.getNotAfter().after(m0.getNotAfter()));
        assertTrue(presented(workerPort).getNotAfter().after(w0.getNotAfter()));
        // the connection made before the renewal, with a certificate since expired, keeps working
        InProcessClusterTest.await("the first worker certificate expired", Duration.ofMinutes(2),
                System::currentTimeMillis, now -> now > w0.getNotAfter().getTime());
        NodeCAGrpc.newBlockingStub(old).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getRootCA(GetRootCARequest.getDefaultInstance());
        awaitReady();
        // and no staged pair is left behind
        assertFalse(Files.exists(dir.resolve("w1/certs/next.pem")));
        assertFalse(Files.exists(dir.resolve("w1/certs/next-key.pem")));
    }

    @Test
    @Order(2)
    void aRemovedNodeCannotRenew() throws Exception {
        String workerId = worker.info().getNodeId();
        ManagedChannel asWorker = Tls.channel("127.0.0.1:" + managerPort, Tls.client(new NodeFiles(dir.resolve("w1")).loadIdentity()));
        channels.add(asWorker);
        control().removeNode(RemoveNodeRequest.newBuilder().setNode(workerId).setForce(true).build());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> NodeCAGrpc.newBlockingStub(asWorker)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .renewNodeCertificate(RenewNodeCertificateRequest.newBuilder()
                        .setCsr(ByteString.copyFrom(NodeKeys.csr(NodeKeys.generate(), "x"))).build()));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), String.valueOf(e.getStatus()));
        assertEquals("node " + workerId + " has been removed from the cluster", e.getStatus().getDescription());
    }
}
