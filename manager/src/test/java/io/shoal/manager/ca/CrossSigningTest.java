package io.shoal.manager.ca;

import io.shoal.api.NodeRole;
import org.junit.jupiter.api.Test;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A root rotation's cross-signed certificate, checked by the JDK's PKIX trust manager as TLS checks
 * a peer: a chain issued under the new root verifies at peers that trust the old root only, the new
 * root only, or both; a certificate of the old root stops verifying once only the new root is trusted.
 */
class CrossSigningTest {
    private static final RootCa OLD = RootCa.create("c1");
    private static final RootCa NEW = RootCa.create("c1");
    private static final X509Certificate CROSS = OLD.crossSign(NEW.certificate());

    private static X509Certificate leaf(RootCa ca) {
        return ca.sign(NodeKeys.csr(NodeKeys.generate(), "n1"), "n1", NodeRole.NODE_ROLE_WORKER, "c1", List.of("10.0.0.1"),
                Duration.ofHours(1));
    }

    private static X509TrustManager trusting(X509Certificate... roots) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        for (int i = 0; i < roots.length; i++) {
            ks.setCertificateEntry("root" + i, roots[i]);
        }
        TrustManagerFactory f = TrustManagerFactory.getInstance("PKIX");
        f.init(ks);
        return (X509TrustManager) f.getTrustManagers()[0];
    }

    @Test
    void theCrossSignedCertificateNamesTheNewRootAndIsSignedByTheOld() throws Exception {
        assertEquals(NEW.certificate().getSubjectX500Principal(), CROSS.getSubjectX500Principal());
        assertEquals(NEW.certificate().getPublicKey(), CROSS.getPublicKey());
        assertEquals(OLD.certificate().getSubjectX500Principal(), CROSS.getIssuerX500Principal());
        CROSS.verify(OLD.certificate().getPublicKey());
        assertTrue(CROSS.getBasicConstraints() >= 0, "a CA certificate");
        assertTrue(!CROSS.getNotAfter().after(OLD.certificate().getNotAfter()), "it does not outlive the old root");
    }

    @Test
    void aChainUnderTheNewRootVerifiesWhereverEitherRootIsTrusted() throws Exception {
        X509Certificate[] chain = {leaf(NEW), CROSS};
        for (X509TrustManager tm : List.of(trusting(OLD.certificate()), trusting(NEW.certificate()),
                trusting(OLD.certificate(), NEW.certificate()))) {
            assertDoesNotThrow(() -> tm.checkClientTrusted(chain, "ECDHE_ECDSA"));
            assertDoesNotThrow(() -> tm.checkServerTrusted(chain, "ECDHE_ECDSA"));
        }
    }

    @Test
    void withoutTheCrossSignedCertificateAPeerOfTheOldRootRefusesTheNewOne() throws Exception {
        X509Certificate[] chain = {leaf(NEW)};
        assertThrows(CertificateException.class, () -> trusting(OLD.certificate()).checkClientTrusted(chain, "ECDHE_ECDSA"));
    }

    @Test
    void afterTheSwitchOnlyTheNewRootIsTrusted() throws Exception {
        X509TrustManager both = trusting(OLD.certificate(), NEW.certificate());
        X509TrustManager after = trusting(NEW.certificate());
        X509Certificate[] old = {leaf(OLD)};
        assertDoesNotThrow(() -> both.checkClientTrusted(old, "ECDHE_ECDSA"), "during the rotation, old certificates work");
        assertThrows(CertificateException.class, () -> after.checkClientTrusted(old, "ECDHE_ECDSA"));
        assertDoesNotThrow(() -> after.checkClientTrusted(new X509Certificate[] {leaf(NEW)}, "ECDHE_ECDSA"));
    }

    @Test
    void aForeignRootCannotBeCrossSignedIntoTrust() throws Exception {
        RootCa foreign = RootCa.create("c2");
        X509Certificate[] chain = {leaf(NEW), foreign.crossSign(NEW.certificate())};
        assertThrows(CertificateException.class, () -> trusting(OLD.certificate()).checkClientTrusted(chain, "ECDHE_ECDSA"));
    }
}
