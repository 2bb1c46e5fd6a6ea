package io.shoal.manager.ca;

import io.shoal.api.NodeRole;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaTest {
    private static final RootCa CA = RootCa.create("cluster1");

    @Test
    void theDigestSurvivesAPemRoundTrip() {
        X509Certificate again = Pem.parseCertificate(Pem.encode(CA.certificate()));
        assertEquals(CA.digest(), RootCa.digest(again));
        assertTrue(CA.digest().matches("[0-9a-f]{64}"));
    }

    @Test
    void signedCertificatesNameWhatTheCaSaysNotWhatTheCsrSays() throws Exception {
        KeyPair kp = NodeKeys.generate();
        X509Certificate cert = CA.sign(NodeKeys.csr(kp, "i-claim-to-be-the-leader"), "node7", NodeRole.NODE_ROLE_WORKER,
                "cluster1", List.of("10.1.2.3"), Duration.ofDays(1));
        NodeIdentity id = CertVerifier.verify(cert, CA.certificate(), "cluster1");
        assertEquals(new NodeIdentity("node7", CertRole.WORKER, "cluster1"), id);
        assertEquals(kp.getPublic(), cert.getPublicKey());
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("10.1.2.3")));
        assertTrue(cert.getSubjectAlternativeNames().stream().anyMatch(san -> san.get(1).equals("127.0.0.1")));
    }

    @Test
    void anAddressThatIsNoIpIsRefusedWithOneLine() {
        // "fe80:" (hostOf "fe80::1" without a port) made BouncyCastle throw ArrayIndexOutOfBoundsException:
        // found by the Control API fuzz test, as an INTERNAL error naming the exception
        for (String bad : List.of("fe80:", "not-an-ip", "300.1.1.1", "")) {
            CaException e = assertThrows(CaException.class, () -> CA.sign(NodeKeys.csr(NodeKeys.generate(), "x"), "n",
                    NodeRole.NODE_ROLE_WORKER, "cluster1", List.of(bad), Duration.ofDays(1)), bad);
            assertTrue(e.getMessage().startsWith("cannot sign the certificate: "), e.getMessage());
        }
    }

    @Test
    void operatorCertificatesNameTheOperatorRoleAndServeNoServer() throws Exception {
        KeyPair kp = NodeKeys.generate();
        X509Certificate cert = CA.signOperator(kp.getPublic(), "operator-1", "cluster1", Duration.ofHours(1));
        assertEquals(new NodeIdentity("operator-1", CertRole.OPERATOR, "cluster1"), CertVerifier.verify(cert, CA.certificate(), "cluster1"));
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage(), "client authentication only");
        assertEquals(null, cert.getSubjectAlternativeNames(), "no address: it can never pass for a node");
        assertTrue(cert.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofMinutes(61))));
    }

    @Test
    void shortLivedCertificatesAreBackdatedByATenthOfTheirLife() {
        assertEquals(Duration.ofSeconds(6), RootCa.backdate(Duration.ofMinutes(1)));
        assertEquals(Duration.ofMinutes(5), RootCa.backdate(Duration.ofDays(90)));
        X509Certificate c = CA.sign(NodeKeys.csr(NodeKeys.generate(), "x"), "n", NodeRole.NODE_ROLE_WORKER, "cluster1", List.of(),
                Duration.ofMinutes(1));
        long life = c.getNotAfter().getTime() - c.getNotBefore().getTime();
        assertEquals(66_000, life, 2_000);
    }

    @Test
    void anotherClustersCertificateIsRefused() {
        RootCa other = RootCa.create("cluster2");
        X509Certificate foreign = other.sign(NodeKeys.csr(NodeKeys.generate(), "x"), "n", NodeRole.NODE_ROLE_MANAGER,
                "cluster2", List.of(), Duration.ofDays(1));
        CaException e = assertThrows(CaException.class, () -> CertVerifier.verify(foreign, CA.certificate(), "cluster1"));
        assertEquals("certificate was not issued by this cluster's CA", e.getMessage());
    }

    @Test
    void expiredCertificatesAreRefused() {
        Instant past = Instant.now().minus(Duration.ofDays(10));
        X509Certificate old = CA.sign(NodeKeys.csr(NodeKeys.generate(), "x"), "n", NodeRole.NODE_ROLE_WORKER, "cluster1",
                List.of(), past, past.plus(Duration.ofDays(1)));
        assertThrows(CaException.class, () -> CertVerifier.verify(old, CA.certificate(), "cluster1"));
    }

    @Test
    void aTamperedCsrIsRefused() {
        byte[] csr = NodeKeys.csr(NodeKeys.generate(), "x");
        csr[csr.length - 5] ^= 0x55;
        assertThrows(CaException.class, () -> CA.sign(csr, "n", NodeRole.NODE_ROLE_WORKER, "cluster1", List.of(), Duration.ofDays(1)));
        assertThrows(CaException.class, () -> CA.sign(new byte[] {1, 2, 3}, "n", NodeRole.NODE_ROLE_WORKER, "cluster1", List.of(), Duration.ofDays(1)));
    }

    @Test
    void joinTokensRoundTripAndCompareWholly() {
        JoinToken t = JoinToken.generate(CA.digest(), new SecureRandom());
        assertEquals(t, JoinToken.parse(t.toString()));
        assertTrue(t.matches(t.toString()));
        assertTrue(t.matches(" " + t + "\n"));
        JoinToken other = JoinToken.generate(CA.digest(), new SecureRandom());
        assertFalse(t.matches(other.toString()));
        assertFalse(t.matches(t.toString().substring(0, 20)));
        assertFalse(t.matches(null));
    }

    @Test
    void malformedTokensSayWhatIsWrong() {
        String d = CA.digest();
        assertEquals("invalid join token: the token is empty", assertThrows(CaException.class, () -> JoinToken.parse(" ")).getMessage());
        assertEquals("invalid join token: expected SHTKN-1-<digest>-<secret>",
                assertThrows(CaException.class, () -> JoinToken.parse("SWMTKN-1-" + d + "-abc")).getMessage());
        assertEquals("invalid join token: unsupported version 2",
                assertThrows(CaException.class, () -> JoinToken.parse("SHTKN-2-" + d + "-" + "a".repeat(32))).getMessage());
        assertEquals("invalid join token: CA digest must be 64 hex characters",
                assertThrows(CaException.class, () -> JoinToken.parse("SHTKN-1-xyz-" + "a".repeat(32))).getMessage());
        assertTrue(assertThrows(CaException.class, () -> JoinToken.parse("SHTKN-1-" + d + "-SHORT")).getMessage().contains("secret"));
    }

    @Test
    void keyEncryptionRoundTripsAndDetectsTampering() {
        byte[] key = KeyEncryption.newKey();
        byte[] secret = "the CA private key".getBytes();
        byte[] box = KeyEncryption.encrypt(key, secret);
        assertArrayEquals(secret, KeyEncryption.decrypt(key, box));
        assertFalse(Arrays.equals(box, KeyEncryption.encrypt(key, secret)), "a fresh nonce each time");
        box[box.length - 1] ^= 1;
        assertEquals("cannot decrypt: wrong key or corrupted data", assertThrows(CaException.class, () -> KeyEncryption.decrypt(key, box)).getMessage());
        byte[] good = KeyEncryption.encrypt(key, secret);
        assertThrows(CaException.class, () -> KeyEncryption.decrypt(KeyEncryption.newKey(), good));
    }

    @Test
    void pemRoundTripsAndRefusesGarbage() {
        KeyPair kp = NodeKeys.generate();
        assertEquals(kp.getPrivate(), Pem.parsePrivateKey(Pem.encode(kp.getPrivate())));
        assertThrows(CaException.class, () -> Pem.parseCertificate("hello"));
        assertThrows(CaException.class, () -> Pem.parsePrivateKey(Pem.encode(CA.certificate())));
    }
}
