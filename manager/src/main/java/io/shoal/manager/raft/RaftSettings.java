package io.shoal.manager.raft;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * How to start this manager's Raft member.
 *
 * @param selfId            this member's id (the node id)
 * @param host              IP the Raft server binds and advertises (never 0.0.0.0)
 * @param port              Raft port
 * @param storageDir        where the log, metadata and snapshots live
 * @param groupId           the cluster's Raft group
 * @param bootstrapPeers    id -> raft address of the first configuration when the storage is new:
 *                          just this member for {@code init}; empty for a manager that joins (the
 *                          leader adds it); ignored when recovering existing storage
 * @param tls               mutual TLS material, or null for plaintext (in-process tests only)
 * @param snapshotThreshold take a snapshot (and purge the log behind it) every this many entries
 */
public record RaftSettings(String selfId, String host, int port, Path storageDir, UUID groupId,
                           Map<String, String> bootstrapPeers, Tls tls, long snapshotThreshold,
                           Duration electionTimeoutMin, Duration electionTimeoutMax) {

    /** The election timeout when none is given (the maximum is twice it). */
    public static final Duration DEFAULT_ELECTION_TIMEOUT = Duration.ofMillis(300);

    public RaftSettings {
        Objects.requireNonNull(selfId, "selfId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(groupId, "groupId");
        bootstrapPeers = Map.copyOf(bootstrapPeers);
        if (snapshotThreshold <= 0) {
            snapshotThreshold = 10_000;
        }
        if (electionTimeoutMin == null) {
            electionTimeoutMin = DEFAULT_ELECTION_TIMEOUT;
        }
        if (electionTimeoutMax == null) {
            electionTimeoutMax = electionTimeoutMin.multipliedBy(2);
        }
    }

    public static RaftSettings of(String selfId, String host, int port, Path storageDir, UUID groupId,
                                  Map<String, String> bootstrapPeers, Tls tls) {
        return new RaftSettings(selfId, host, port, storageDir, groupId, bootstrapPeers, tls, 0, null, null);
    }

    public RaftSettings withSnapshotThreshold(long threshold) {
        return new RaftSettings(selfId, host, port, storageDir, groupId, bootstrapPeers, tls, threshold,
                electionTimeoutMin, electionTimeoutMax);
    }

    public String address() {
        return host + ":" + port;
    }

    /**
     * The node's key manager (its key and certificate) and trust manager (the cluster root peers
     * must chain to). The node passes objects that follow its certificate renewals, so new Raft
     * connections present the renewed certificate without a restart.
     */
    public record Tls(KeyManager keyManager, TrustManager trustManager) {
        /** Fixed material (tests). */
        public static Tls of(PrivateKey key, X509Certificate cert, X509Certificate rootCa) {
            try {
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                keys.setKeyEntry("node", key, new char[0], new Certificate[] {cert});
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
                KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
                roots.load(null, null);
                roots.setCertificateEntry("ca", rootCa);
                TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                tmf.init(roots);
                return new Tls(kmf.getKeyManagers()[0], tmf.getTrustManagers()[0]);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build the Raft TLS material: " + e.getMessage(), e);
            }
        }
    }
}
