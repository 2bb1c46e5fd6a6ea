package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ClusterSpec;
import io.shoal.api.JoinTokens;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * The cluster as docker's {@code GET /swarm} returns it, and the {@code Swarm} section of
 * {@code GET /info}. Settings Shoal does not have (Raft ticks, snapshot counts) are written as the
 * values Shoal behaves by, so that a client's read-modify-write posts them back unchanged.
 */
public final class SwarmJson {
    /** Node certificates' lifetime (the CA signs for 90 days). */
    public static final Duration NODE_CERT_EXPIRY = Duration.ofDays(90);
    private static final long DEFAULT_HEARTBEAT_MS = 500;
    private static final long DEFAULT_TASK_HISTORY = 5;

    private SwarmJson() {}

    /** A manager other nodes reach, as {@code RemoteManagers} lists it. */
    public record Peer(String nodeId, String addr) {}

    /** What {@code /info}'s {@code Swarm} section says about the local node. */
    public record Local(String nodeId, String nodeAddr, String localNodeState, boolean controlAvailable, String error,
                        List<Peer> remoteManagers, long nodes, long managers, ClusterInfo cluster) {}

    /** {@code /swarm}: the cluster with its join tokens (null: left out, as for {@code /info}). */
    public static ObjectNode write(ClusterInfo c, JoinTokens tokens) {
        ObjectNode o = Json.object();
        o.put("ID", c.getClusterId());
        o.putObject("Version").put("Index", c.getMeta().getVersion());
        o.put("CreatedAt", Json.time(c.getCreatedMs()));
        o.put("UpdatedAt", Json.time(c.getMeta().getUpdatedMs() > 0 ? c.getMeta().getUpdatedMs() : c.getCreatedMs()));
        o.set("Spec", spec(c.getSpec()));
        o.set("TLSInfo", tlsInfo(c.getCaCertPem()));
        o.put("RootRotationInProgress", false);
        o.put("DataPathPort", c.getSpec().getVxlanPort() > 0 ? c.getSpec().getVxlanPort() : 4789);
        o.set("DefaultAddrPool", Json.strings(c.getSpec().getDefaultAddressPoolList()));
        o.put("SubnetSize", c.getSpec().getSubnetSize() > 0 ? c.getSpec().getSubnetSize() : 24);
        if (tokens != null) {
            o.putObject("JoinTokens").put("Worker", tokens.getWorker()).put("Manager", tokens.getManager());
        }
        return o;
    }

    static ObjectNode spec(ClusterSpec s) {
        ObjectNode o = Json.object();
        o.put("Name", s.getAnnotations().getName().isEmpty() ? "default" : s.getAnnotations().getName());
        o.set("Labels", Json.map(s.getAnnotations().getLabelsMap()));
        o.putObject("Orchestration").put("TaskHistoryRetentionLimit",
                s.getTaskHistoryLimit() > 0 ? s.getTaskHistoryLimit() : DEFAULT_TASK_HISTORY);
        o.putObject("Raft").put("SnapshotInterval", 10000).put("KeepOldSnapshots", 0)
                .put("LogEntriesForSlowFollowers", 500).put("ElectionTick", 10).put("HeartbeatTick", 1);
        o.putObject("Dispatcher").put("HeartbeatPeriod",
                Json.nanos(s.getHeartbeatPeriodMs() > 0 ? s.getHeartbeatPeriodMs() : DEFAULT_HEARTBEAT_MS));
        o.putObject("CAConfig").put("NodeCertExpiry",
                s.getNodeCertExpiryMs() > 0 ? Json.nanos(s.getNodeCertExpiryMs()) : NODE_CERT_EXPIRY.toNanos());
        o.putObject("TaskDefaults");
        o.putObject("EncryptionConfig").put("AutoLockManagers", s.getAutolock());
        return o;
    }

    private static ObjectNode tlsInfo(String pem) {
        ObjectNode o = Json.object();
        o.put("TrustRoot", pem);
        if (pem.isEmpty()) {
            return o;
        }
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            o.put("CertIssuerSubject", Base64.getEncoder().encodeToString(cert.getSubjectX500Principal().getEncoded()));
            o.put("CertIssuerPublicKey", Base64.getEncoder().encodeToString(cert.getPublicKey().getEncoded()));
        } catch (CertificateException e) {
            // a certificate we cannot parse: the trust root alone
        }
        return o;
    }

    /** {@code /info}'s {@code Swarm} section. */
    public static ObjectNode info(Local l) {
        ObjectNode o = Json.object();
        o.put("NodeID", l.nodeId());
        o.put("NodeAddr", l.nodeAddr());
        o.put("LocalNodeState", l.localNodeState());
        o.put("ControlAvailable", l.controlAvailable());
        o.put("Error", l.error());
        ArrayNode rm = o.putArray("RemoteManagers");
        l.remoteManagers().forEach(p -> rm.addObject().put("NodeID", p.nodeId()).put("Addr", p.addr()));
        if (l.controlAvailable()) {
            o.put("Nodes", l.nodes());
            o.put("Managers", l.managers());
        }
        if (l.cluster() != null) {
            o.set("Cluster", write(l.cluster(), null));
        }
        return o;
    }
}
