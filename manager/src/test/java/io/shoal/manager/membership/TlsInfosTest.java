package io.shoal.manager.membership;

import io.shoal.api.NodeRole;
import io.shoal.api.NodeTLSInfo;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.RootCa;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What node ls shows as TLS STATUS for the certificate the CA recorded. */
class TlsInfosTest {
    @Test
    void readyNeedsRotationExpiredOrNothing() {
        RootCa ca = RootCa.create("c1");
        KeyPair kp = NodeKeys.generate();
        X509Certificate cert = ca.sign(NodeKeys.csr(kp, "n1"), "n1", NodeRole.NODE_ROLE_WORKER, "c1", List.of("10.0.0.1"),
                Duration.ofMinutes(2));
        NodeTLSInfo info = TlsInfos.of(cert, ca.digest());
        assertEquals(cert.getNotAfter().getTime(), info.getCertNotAfterMs());
        assertTrue(info.getCertIssuerSubject().contains("c1"), info.getCertIssuerSubject());
        long now = cert.getNotBefore().getTime() + 1000;
        assertEquals("Ready", TlsInfos.status(info, ca.digest(), now));
        assertEquals("Needs Rotation", TlsInfos.status(info, RootCa.create("c1").digest(), now));
        assertEquals("Expired", TlsInfos.status(info, ca.digest(), cert.getNotAfter().getTime()));
        assertEquals("", TlsInfos.status(NodeTLSInfo.getDefaultInstance(), ca.digest(), now));
    }
}
