package io.shoal.manager.ca;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

/** Checks a node certificate against the cluster root, outside of a TLS handshake. */
public final class CertVerifier {
    private CertVerifier() {}

    public static NodeIdentity verify(X509Certificate leaf, X509Certificate root, String expectedClusterId) {
        return verify(leaf, root, expectedClusterId, Instant.now());
    }

    public static NodeIdentity verify(X509Certificate leaf, X509Certificate root, String expectedClusterId, Instant now) {
        try {
            leaf.verify(root.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new CaException("certificate was not issued by this cluster's CA");
        }
        try {
            leaf.checkValidity(Date.from(now));
        } catch (GeneralSecurityException e) {
            throw new CaException("certificate is expired or not yet valid");
        }
        NodeIdentity id = NodeIdentity.of(leaf);
        if (expectedClusterId != null && !expectedClusterId.equals(id.clusterId())) {
            throw new CaException("certificate belongs to cluster " + id.clusterId() + ", not " + expectedClusterId);
        }
        return id;
    }
}
