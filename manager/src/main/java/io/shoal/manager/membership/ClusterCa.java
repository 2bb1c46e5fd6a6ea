package io.shoal.manager.membership;

import io.shoal.api.Cluster;
import io.shoal.api.NodeRole;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ClusterStore;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The cluster root CA as a manager uses it: the certificate and encrypted key come from the
 * replicated store, the key-encryption key from this manager's data dir.
 */
public final class ClusterCa {
    public static final Duration NODE_CERT_VALIDITY = Duration.ofDays(90);

    private final ClusterStore store;
    private final byte[] kek;
    private volatile RootCa cached;
    private volatile String cachedDigest;

    public ClusterCa(ClusterStore store, byte[] kek) {
        this.store = store;
        this.kek = kek.clone();
    }

    public byte[] kek() {
        return kek.clone();
    }

    RootCa rootCa() {
        Cluster c = store.view(tx -> tx.cluster()).orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
        String digest = c.getRootCa().getCaDigest();
        RootCa ca = cached;
        if (ca == null || !digest.equals(cachedDigest)) {
            X509Certificate cert = Pem.parseCertificate(c.getRootCa().getCaCertPem());
            String keyPem = new String(KeyEncryption.decrypt(kek, c.getRootCa().getCaKeyEncrypted().toByteArray()), StandardCharsets.UTF_8);
            ca = RootCa.load(cert, Pem.parsePrivateKey(keyPem));
            cached = ca;
            cachedDigest = digest;
        }
        return ca;
    }

    /** Signs a node certificate; the CSR's subject is ignored, identity comes from the arguments. */
    public X509Certificate issue(byte[] csrDer, String nodeId, NodeRole role, String clusterId, String advertiseIp) {
        List<String> ips = advertiseIp == null || advertiseIp.isBlank() ? List.of() : List.of(advertiseIp);
        return rootCa().sign(csrDer, nodeId, role, clusterId, ips, NODE_CERT_VALIDITY);
    }
}
