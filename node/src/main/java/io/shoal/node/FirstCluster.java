package io.shoal.node;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
import io.shoal.api.InitRequest;
import io.shoal.api.JoinTokens;
import io.shoal.api.ManagerStatus;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.RootCA;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.manager.membership.TlsInfos;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.security.UnlockKeys;
import io.shoal.manager.store.StoreFormat;
import io.shoal.node.Addresses.HostPort;
import io.shoal.worker.agent.NodeDescriptions;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;

/** The first objects of a new cluster ({@code shoal init}): the cluster object and its first manager. */
final class FirstCluster {
    private FirstCluster() {}

    /**
     * The cluster object: its settings from {@code req}, the root CA with its key sealed with
     * {@code kek}, the join tokens, the secrets' data key and, with autolock, the sealed {@code unlockKey}.
     */
    static Cluster cluster(InitRequest req, String clusterId, RootCa ca, byte[] kek, JoinTokens tokens, UnlockKey unlockKey) {
        ClusterSpec.Builder spec = ClusterSpec.newBuilder().setNodeCertExpiryMs(req.getCertExpiryMs()).setAutolock(unlockKey != null);
        if (req.hasNodeDownGraceMs()) {
            spec.setNodeDownGraceMs(Math.max(0, req.getNodeDownGraceMs()));
        }
        return Cluster.newBuilder()
                .setId(clusterId)
                .setSpec(spec
                        .setAnnotations(Annotations.newBuilder().setName("default"))
                        .setHeartbeatPeriodMs(req.getDispatcherHeartbeatMs() > 0 ? req.getDispatcherHeartbeatMs() : ClusterSettings.DEFAULT_HEARTBEAT_MS)
                        .setTaskHistoryLimit(ClusterSettings.DEFAULT_TASK_HISTORY_LIMIT)
                        .addAllDefaultAddressPool(req.getDefaultAddrPoolCount() == 0 ? List.of(ClusterSettings.DEFAULT_ADDRESS_POOL) : req.getDefaultAddrPoolList())
                        .setSubnetSize(ClusterSettings.DEFAULT_SUBNET_SIZE)
                        .setVxlanPort(req.getDataPathPort() > 0 ? req.getDataPathPort() : ClusterSettings.DEFAULT_VXLAN_PORT))
                .setRootCa(RootCA.newBuilder()
                        .setCaCertPem(Pem.encode(ca.certificate()))
                        .setCaKeyEncrypted(ByteString.copyFrom(KeyEncryption.encrypt(kek,
                                Pem.encode(ca.privateKey()).getBytes(StandardCharsets.UTF_8))))
                        .setCaDigest(ca.digest())
                        .setJoinTokens(tokens))
                .setDataKey(SecretCipher.newDataKey(kek))
                .setUnlockKey(unlockKey == null ? ByteString.EMPTY : UnlockKeys.seal(kek, clusterId, unlockKey))
                .build();
    }

    /** The node object of the cluster's first manager. */
    static Node firstManager(String nodeId, String raftAddr, HostPort advertise, X509Certificate cert, String caDigest, String runtime) {
        return Node.newBuilder()
                .setId(nodeId)
                .setSpec(NodeSpec.newBuilder().setDesiredRole(NodeRole.NODE_ROLE_MANAGER))
                .setRole(NodeRole.NODE_ROLE_MANAGER)
                .setManagerStatus(ManagerStatus.newBuilder().setRaftId(nodeId).setAddr(raftAddr))
                .setDescription(NodeDescriptions.local(List.of(runtime), StoreFormat.CURRENT))
                .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.UNKNOWN).setAddr(advertise.host()))
                .setAdvertiseAddr(advertise.toString())
                .setTlsInfo(TlsInfos.of(cert, caDigest))
                .build();
    }
}
