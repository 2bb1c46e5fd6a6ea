package io.shoal.manager.membership;

import com.google.protobuf.ByteString;
import io.shoal.api.Cluster;
import io.shoal.api.NodeRole;
import io.shoal.api.RootCA;
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
import java.util.function.Function;

/**
 * The cluster root CA as a manager uses it: the certificate and encrypted key come from the
 * replicated store, the key-encryption key from this manager's data dir. Node certificates live
 * as long as the cluster's certificate expiry says ({@code init/cluster update --cert-expiry}).
 * While a root rotation runs ({@link RootRotations}) certificates are issued under the new root,
 * with the new root cross-signed by the old one in their chain.
 */
public final class ClusterCa {
    private final ClusterStore store;
    private final byte[] kek;
    /** the roots loaded last, by digest (at most the current and the rotation's new one are in use) */
    private volatile List<Loaded> cache = List.of();

    private record Loaded(String digest, RootCa ca) {}

    /**
     * A certificate as the CA hands it out: the PEM chain its holder presents (with the cross-signed
     * new root while a rotation runs, so that peers trusting only the old root accept it) and the
     * digest of the root that issued it.
     */
    public record Issued(X509Certificate cert, String chainPem, String issuerDigest) {}

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

    /** The cluster's current root, whose digest the join tokens pin. */
    RootCa currentRoot() {
        RootCA root = cluster().getRootCa();
        return load(root.getCaDigest(), root.getCaCertPem(), root.getCaKeyEncrypted());
    }

    private RootCa load(String digest, String certPem, ByteString keyEncrypted) {
        for (Loaded l : cache) {
            if (l.digest().equals(digest)) {
                return l.ca();
            }
        }
        X509Certificate cert = Pem.parseCertificate(certPem);
        String keyPem = new String(KeyEncryption.decrypt(kek, keyEncrypted.toByteArray()), StandardCharsets.UTF_8);
        RootCa ca = RootCa.load(cert, Pem.parsePrivateKey(keyPem));
        List<Loaded> before = cache;
        cache = before.isEmpty() ? List.of(new Loaded(digest, ca)) : List.of(new Loaded(digest, ca), before.get(0));
        return ca;
    }

    /** How long the certificates issued now are valid. */
    public Duration certExpiry() {
        return ClusterSettings.nodeCertExpiry(cluster().getSpec());
    }

    /** The root certificates nodes and operators trust now (PEM): the current root, and the new one while a rotation runs. */
    public String trustedRootsPem() {
        return trustedRootsPem(cluster().getRootCa());
    }

    public static String trustedRootsPem(RootCA root) {
        return root.getCaCertPem() + root.getRotation().getCaCertPem();
    }

    /** The digest of the root certificates are issued under now (the new root while a rotation runs). */
    public static String issuingDigest(RootCA root) {
        return root.hasRotation() ? root.getRotation().getCaDigest() : root.getCaDigest();
    }

    /** Signs with the root certificates are issued under now, read from one view of the cluster. */
    private Issued issue(Function<RootCa, X509Certificate> sign) {
        RootCA root = cluster().getRootCa();
        if (!root.hasRotation()) {
            X509Certificate cert = sign.apply(load(root.getCaDigest(), root.getCaCertPem(), root.getCaKeyEncrypted()));
            return new Issued(cert, Pem.encode(cert), root.getCaDigest());
        }
        var r = root.getRotation();
        X509Certificate cert = sign.apply(load(r.getCaDigest(), r.getCaCertPem(), r.getCaKeyEncrypted()));
        return new Issued(cert, Pem.encode(cert) + r.getCrossSignedPem(), r.getCaDigest());
    }

    /** Signs a node certificate; the CSR's subject is ignored, identity comes from the arguments. */
    public Issued issue(byte[] csrDer, String nodeId, NodeRole role, String clusterId, String advertiseIp) {
        List<String> ips = advertiseIp == null || advertiseIp.isBlank() ? List.of() : List.of(advertiseIp);
        Duration expiry = certExpiry();
        return issue(ca -> ca.sign(csrDer, nodeId, role, clusterId, ips, expiry));
    }

    /** An operator certificate for {@code key}, valid for {@code validity} (null: the cluster's certificate expiry). */
    public Issued issueOperator(PublicKey key, Duration validity) {
        String clusterId = cluster().getId();
        Duration d = validity == null ? certExpiry() : validity;
        return issue(ca -> ca.signOperator(key, "operator-" + Ids.newId(), clusterId, d));
    }
}
