package io.shoal.node;

import io.shoal.api.NodeRole;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.RootCa;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Engine API's tcp listener presents the identity the node holds now, over real TLS: a renewal
 * installed into the node's {@link NodeTls} is what the next handshake sees, a rebuilt membership
 * (a new {@link NodeTls}) likewise, and outside a cluster a connection is closed. The client
 * verifies the server against the cluster root and presents an operator's certificate, as
 * {@code docker --tlsverify} does.
 */
class DockerApiTlsTest {
    static final String CLUSTER = "cluster1";
    static final RootCa CA = RootCa.create(CLUSTER);

    @TempDir
    Path dir;
    DockerApi api;

    @AfterEach
    void close() {
        if (api != null) {
            api.close();
        }
    }

    static NodeFiles.Identity manager(String nodeId) {
        KeyPair kp = NodeKeys.generate();
        X509Certificate cert = CA.sign(NodeKeys.csr(kp, "x"), nodeId, NodeRole.NODE_ROLE_MANAGER, CLUSTER, List.of("127.0.0.1"),
                Duration.ofHours(1));
        return new NodeFiles.Identity(kp.getPrivate(), cert, CA.certificate());
    }

    @Test
    void aHandshakeAfterARenewalPresentsTheNewCertificate() throws Exception {
        NodeFiles.Identity first = manager("n1");
        NodeTls tls = new NodeTls(first);
        AtomicReference<NodeTls> current = new AtomicReference<>(tls);
        int port = InProcessClusterTest.freePortPair();
        api = DockerApi.start(List.of("tcp://127.0.0.1:" + port), dir.resolve("none.sock"), current::get);
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
        assertEquals(first.cert().getSerialNumber(), presented(addr).getSerialNumber());

        NodeFiles.Identity renewed = manager("n1");
        tls.install(renewed);
        assertEquals(renewed.cert().getSerialNumber(), presented(addr).getSerialNumber(), "the renewed certificate");

        NodeFiles.Identity rebuilt = manager("n1");
        current.set(new NodeTls(rebuilt));
        assertEquals(rebuilt.cert().getSerialNumber(), presented(addr).getSerialNumber(), "the certificate of a rebuilt membership");

        current.set(null);
        assertThrows(IOException.class, () -> presented(addr), "outside a cluster a connection is closed");
    }

    /** The certificate a new verified TLS connection to {@code addr} is shown, after one request answered over it. */
    static X509Certificate presented(InetSocketAddress addr) throws IOException, GeneralSecurityException {
        KeyPair kp = NodeKeys.generate();
        X509Certificate operator = CA.signOperator(kp.getPublic(), "op1", CLUSTER, Duration.ofHours(1));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("op", kp.getPrivate(), new char[0], new Certificate[] {operator});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore roots = KeyStore.getInstance("PKCS12");
        roots.load(null, null);
        roots.setCertificateEntry("ca", CA.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(roots);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(addr.getAddress(), addr.getPort())) {
            s.setSoTimeout(30_000);
            s.startHandshake();
            // a request answered: the server accepted the client certificate, not only presented its own
            s.getOutputStream().write("GET /nosuch HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(reply.startsWith("HTTP/1.1 "), "an http answer: " + reply);
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }
}
