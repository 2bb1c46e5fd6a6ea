package io.shoal.manager.membership;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.shoal.api.Cluster;
import io.shoal.api.GetRootCARequest;
import io.shoal.api.GetRootCAResponse;
import io.shoal.api.IssueNodeCertificateRequest;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.Node;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.RenewNodeCertificateRequest;
import io.shoal.manager.Ids;
import io.shoal.manager.ca.JoinToken;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.time.Duration;
import java.util.List;

/**
 * Admits nodes: hands out the root CA certificate to anyone (the joiner checks it against the
 * digest in its token), and signs a node certificate for a caller that presents a valid join token.
 * The token decides the role. Tokens are compared in constant time.
 */
public final class NodeCaService extends NodeCAGrpc.NodeCAImplBase {
    private final ClusterStore store;
    private final StoreWriter writer;
    private final Consensus consensus;
    private final ClusterCa ca;

    public NodeCaService(ClusterStore store, StoreWriter writer, Consensus consensus, ClusterCa ca) {
        this.store = store;
        this.writer = writer;
        this.consensus = consensus;
        this.ca = ca;
    }

    private Cluster cluster() {
        return store.view(tx -> tx.cluster()).orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
    }

    @Override
    public void getRootCA(GetRootCARequest request, StreamObserver<GetRootCAResponse> obs) {
        Calls.unary(obs, () -> GetRootCAResponse.newBuilder().setCaCertPem(cluster().getRootCa().getCaCertPem()).build());
    }

    @Override
    public void issueNodeCertificate(IssueNodeCertificateRequest req, StreamObserver<IssueNodeCertificateResponse> obs) {
        Calls.unary(obs, () -> {
            JoinToken presented;
            try {
                presented = JoinToken.parse(req.getToken());
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
            }
            consensus.barrier(Duration.ofSeconds(5));
            Cluster c = cluster();
            if (!presented.caDigest().equals(c.getRootCa().getCaDigest())) {
                throw Status.PERMISSION_DENIED.withDescription("invalid join token: it was issued by another cluster's CA").asRuntimeException();
            }
            var tokens = c.getRootCa().getJoinTokens();
            boolean worker = JoinToken.parse(tokens.getWorker()).matches(req.getToken());
            boolean manager = JoinToken.parse(tokens.getManager()).matches(req.getToken());
            if (!worker && !manager) {
                throw Status.PERMISSION_DENIED.withDescription(
                        "invalid join token: it matches neither the current worker nor manager token (was it rotated?)").asRuntimeException();
            }
            NodeRole role = manager ? NodeRole.NODE_ROLE_MANAGER : NodeRole.NODE_ROLE_WORKER;
            String addr = req.getAdvertiseAddr();
            String ip = addr.isEmpty() ? "" : AdvertiseAddress.ip(addr);
            String nodeId = Ids.newId();
            ClusterCa.Issued cert = ca.issue(req.getCsr().toByteArray(), nodeId, role, c.getId(), ip);
            Node node = Node.newBuilder()
                    .setId(nodeId)
                    .setSpec(NodeSpec.newBuilder().setDesiredRole(role))
                    // the node becomes a manager (role) once it is a Raft voter
                    .setRole(NodeRole.NODE_ROLE_WORKER)
                    .setDescription(req.getDescription().toBuilder().setHostname(req.getHostname()))
                    .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.UNKNOWN).setAddr(ip))
                    .setAdvertiseAddr(addr)
                    .setTlsInfo(TlsInfos.of(cert.cert(), cert.issuerDigest()))
                    .build();
            writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(node))));
            return response(c, nodeId, role, cert);
        });
    }

    /**
     * A certificate for the calling node, whose id comes from its client certificate, never from
     * the request: with the role the store wants it to have now (so a renewal that races a promotion
     * or demotion carries the new role), for as long as the cluster's certificate expiry says now. A
     * node that was removed gets nothing.
     */
    @Override
    public void renewNodeCertificate(RenewNodeCertificateRequest req, StreamObserver<IssueNodeCertificateResponse> obs) {
        Calls.unary(obs, () -> {
            Caller caller = Caller.requireNode();
            consensus.barrier(Duration.ofSeconds(5));
            Node node = store.view(tx -> tx.node(caller.nodeId()))
                    .orElseThrow(() -> Status.PERMISSION_DENIED.withDescription("node " + caller.nodeId()
                            + " has been removed from the cluster").asRuntimeException());
            Cluster c = cluster();
            NodeRole role = node.getSpec().getDesiredRole();
            ClusterCa.Issued cert = ca.issue(req.getCsr().toByteArray(), node.getId(), role, c.getId(), hostOf(node.getAdvertiseAddr()));
            // what node ls shows; a node removed meanwhile stays removed
            writer.update(tx -> tx.node(node.getId()).map(n -> List.of(Batches.update(StoreObjects.wrap(n.toBuilder()
                    .setTlsInfo(TlsInfos.of(cert.cert(), cert.issuerDigest())).build())))).orElse(List.of()));
            return response(c, node.getId(), role, cert);
        });
    }

    private IssueNodeCertificateResponse response(Cluster c, String nodeId, NodeRole role, ClusterCa.Issued cert) {
        var b = IssueNodeCertificateResponse.newBuilder()
                .setNodeId(nodeId)
                .setRole(role)
                .setClusterId(c.getId())
                .setCertPem(cert.chainPem())
                .setCaCertPem(ClusterCa.trustedRootsPem(c.getRootCa()))
                .setRaftGroupId(RaftGroups.groupId(c.getId()).toString());
        store.view(tx -> tx.nodes()).stream()
                .filter(n -> n.getRole() == NodeRole.NODE_ROLE_MANAGER)
                .forEach(n -> b.addManagers(n.getAdvertiseAddr()));
        if (role == NodeRole.NODE_ROLE_MANAGER) {
            b.setKek(ByteString.copyFrom(ca.kek()));
            if (c.getSpec().getAutolock()) {
                b.setUnlockKey(c.getUnlockKey());
            }
        }
        return b.build();
    }

    /** The IP part of IP:PORT (or [v6]:PORT). */
    public static String hostOf(String addr) {
        if (addr == null || addr.isEmpty()) {
            return "";
        }
        if (addr.startsWith("[")) {
            int end = addr.indexOf(']');
            return end > 0 ? addr.substring(1, end) : addr;
        }
        int colon = addr.lastIndexOf(':');
        return colon > 0 ? addr.substring(0, colon) : addr;
    }
}
