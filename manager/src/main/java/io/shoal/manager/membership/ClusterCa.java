package io.shoal.manager.membership;

import io.shoal.api.Cluster;
import io.shoal.api.NodeRole;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.Ids;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ClusterStore;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * The cluster root CA as a manager uses it: the certificate and encrypted key come from the
 * replicated store, the key-encryption key from this manager's data dir. Node certificates live
 * as long as the cluster's certificate expiry says ({@code init/cluster update --cert-expiry}).
 */
public final class ClusterCa {
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

    private Cluster cluster() {
        return store.view(tx -> tx.cluster()).orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
    }

    RootCa rootCa() {
        Cluster c = cluster();
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

    /** How long the certificates issued now are valid. */
    public Duration certExpiry() {
        return ClusterSettings.nodeCertExpiry(cluster().getSpec());
    }

    /** The root certificates nodes and operators trust now (PEM). */
    public String trustedRootsPem() {
        return cluster().getRootCa().getCaCertPem();
    }

    /** Signs a node certificate; the CSR's subject is ignored, identity comes from the arguments. */
    public X509Certificate issue(byte[] csrDer, String nodeId, NodeRole role, String clusterId, String advertiseIp) {
        List<String> ips = advertiseIp == null || advertiseIp.isBlank() ? List.of() : List.of(advertiseIp);
        return rootCa().sign(csrDer, nodeId, role, clusterId, ips, certExpiry());
    }

    /** An operator certificate for {@code key}, valid for {@code validity} (null: the cluster's certificate expiry). */
    public X509Certificate issueOperator(PublicKey key, Duration validity) {
        return rootCa().signOperator(key, "operator-" + Ids.newId(), cluster().getId(), validity == null ? certExpiry() : validity);
    }
}
