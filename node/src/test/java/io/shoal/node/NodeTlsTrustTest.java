package io.shoal.node;

import io.shoal.api.NodeRole;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.RootCa;
import org.junit.jupiter.api.Test;

import javax.net.ssl.X509TrustManager;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The trust-anchor switch of a root rotation on a node's {@link NodeTls}: trusting both roots, peers
 * under either are accepted; trusting the new root alone, a certificate of the old root is refused
 * from the next handshake on, while the node keeps presenting its own chain.
 */
class NodeTlsTrustTest {
    static final RootCa OLD = RootCa.create("c1");
    static final RootCa NEW = RootCa.create("c1");

    static X509Certificate leaf(RootCa ca, KeyPair kp) {
        return ca.sign(NodeKeys.csr(kp, "n"), "n", NodeRole.NODE_ROLE_WORKER, "c1", List.of("127.0.0.1"), Duration.ofHours(1));
    }

    @Test
    void bothRootsDuringTheRotationTheNewOneAloneAfterwards() {
        KeyPair kp = NodeKeys.generate();
        X509Certificate cross = OLD.crossSign(NEW.certificate());
        X509Certificate[] mine = {leaf(NEW, kp), cross};
        NodeTls tls = new NodeTls(new NodeFiles.Identity(kp.getPrivate(), List.of(mine), List.of(OLD.certificate(), NEW.certificate())));
        X509TrustManager trust = (X509TrustManager) tls.trustManager();
        X509Certificate[] oldPeer = {leaf(OLD, NodeKeys.generate())};
        X509Certificate[] newPeer = {leaf(NEW, NodeKeys.generate()), cross};
        assertDoesNotThrow(() -> trust.checkClientTrusted(oldPeer, "ECDHE_ECDSA"));
        assertDoesNotThrow(() -> trust.checkClientTrusted(newPeer, "ECDHE_ECDSA"));
        assertArrayEquals(mine, ((javax.net.ssl.X509KeyManager) tls.keyManager()).getCertificateChain("node"));

        tls.trust(List.of(NEW.certificate()));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(oldPeer, "ECDHE_ECDSA"));
        assertDoesNotThrow(() -> trust.checkClientTrusted(newPeer, "ECDHE_ECDSA"));
        assertDoesNotThrow(() -> trust.checkServerTrusted(new X509Certificate[] {leaf(NEW, NodeKeys.generate())}, "ECDHE_ECDSA"));
        assertArrayEquals(new X509Certificate[] {mine[0]}, ((javax.net.ssl.X509KeyManager) tls.keyManager()).getCertificateChain("node"),
                "the cross-signed certificate is no longer presented once only the new root is trusted");
    }
}
