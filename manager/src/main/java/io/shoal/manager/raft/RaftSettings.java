package io.shoal.manager.raft;

import java.nio.file.Path;
import java.security.PrivateKey;
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

    /** The node's key and certificate and the cluster root CA that peers must chain to. */
    public record Tls(PrivateKey key, X509Certificate cert, X509Certificate rootCa) {}
}
