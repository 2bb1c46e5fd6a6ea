package io.shoal.manager.control;

import io.shoal.api.GetNodeRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListNodesResponse;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.NodeView;
import io.shoal.api.RemoveNodeRequest;
import io.shoal.api.RemoveNodeResponse;
import io.shoal.api.UpdateNodeRequest;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.membership.ManagerRoles;
import io.shoal.manager.membership.ClusterCa;
import io.shoal.manager.membership.TlsInfos;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Nodes through the Control API: list, inspect, change (availability, labels, role) and remove. */
public final class NodesApi {
    private final ClusterStore store;
    private final StoreWriter writer;
    private final Consensus consensus;
    private final ManagerRoles roles;
    private final LinearizableReads reads;

    public NodesApi(ClusterStore store, StoreWriter writer, Consensus consensus, ManagerRoles roles) {
        this.store = store;
        this.writer = writer;
        this.consensus = consensus;
        this.roles = roles;
        this.reads = new LinearizableReads(store, consensus);
    }

    private <T> T read(Function<ReadTx, T> fn) {
        return reads.read(fn);
    }

    public ListNodesResponse listNodes(ListNodesRequest request) {
        Map<String, Consensus.Member> members = membersById();
        List<Node> nodes = read(tx -> tx.nodes());
        String root = rootDigest();
        ListNodesResponse.Builder b = ListNodesResponse.newBuilder();
        nodes.forEach(n -> b.addNodes(view(n, members, root)));
        return b.build();
    
    }

    public NodeView getNode(GetNodeRequest request) {
        return view(read(tx -> NodeLookup.resolve(tx, request.getNode())), membersById(), rootDigest());
    }

    private Map<String, Consensus.Member> membersById() {
        return consensus.members().stream().collect(Collectors.toMap(Consensus.Member::id, m -> m, (a, b) -> a));
    }

    /** The digest of the root a Ready node's certificate is issued by (the new root while a rotation runs). */
    private String rootDigest() {
        return store.view(tx -> tx.cluster()).map(c -> ClusterCa.issuingDigest(c.getRootCa())).orElse("");
    }

    static NodeView view(Node n, Map<String, Consensus.Member> members, String rootDigest) {
        Consensus.Member m = members.get(n.getId());
        NodeView.Reachability r = m == null ? NodeView.Reachability.NONE
                : m.leader() ? NodeView.Reachability.LEADER
                : m.reachable() ? NodeView.Reachability.REACHABLE : NodeView.Reachability.UNREACHABLE;
        return NodeView.newBuilder().setNode(n).setManagerReachability(r)
                .setTlsStatus(TlsInfos.status(n.getTlsInfo(), rootDigest, System.currentTimeMillis())).build();
    }

    public NodeView updateNode(UpdateNodeRequest req) {
        for (String k : req.getLabelAddMap().keySet()) {
            if (k.isBlank()) {
                throw Calls.invalid("--label-add: a label key must not be empty");
            }
        }
        Node target = read(tx -> NodeLookup.resolve(tx, req.getNode()));
        if (req.getSetRole() && req.getRole() == NodeRole.NODE_ROLE_WORKER
                && target.getRole() == NodeRole.NODE_ROLE_MANAGER) {
            roles.demote(target, req.getForce());
        } else {
            writer.update(tx -> {
                Node cur = tx.node(target.getId()).orElseThrow(() -> Calls.notFound("node " + req.getNode() + " not found"));
                Node.Builder nb = cur.toBuilder();
                var spec = nb.getSpecBuilder();
                if (req.getSetAvailability()) {
                    spec.setAvailability(req.getAvailability());
                }
                var ann = spec.getAnnotationsBuilder();
                ann.putAllLabels(req.getLabelAddMap());
                req.getLabelRmList().forEach(ann::removeLabels);
                if (req.getSetRole()) {
                    spec.setDesiredRole(req.getRole());
                }
                Node next = nb.build();
                return next.equals(cur) ? List.of() : List.of(Batches.update(StoreObjects.wrap(next)));
            });
        }
        return view(store.view(tx -> tx.node(target.getId())).orElse(target), membersById(), rootDigest());
    
    }

    public RemoveNodeResponse removeNode(RemoveNodeRequest req) {
        Node target = read(tx -> NodeLookup.resolve(tx, req.getNode()));
        if (target.getRole() == NodeRole.NODE_ROLE_MANAGER || target.getSpec().getDesiredRole() == NodeRole.NODE_ROLE_MANAGER) {
            throw Calls.precondition("node " + req.getNode() + " is a manager: demote it first with 'shoal node demote "
                    + req.getNode() + "'");
        }
        if (target.getStatus().getState() == NodeStatus.State.READY && !req.getForce()) {
            throw Calls.precondition("node " + req.getNode() + " is not down and can't be removed; stop it first or use --force");
        }
        writer.update(tx -> tx.node(target.getId()).map(n -> List.of(Batches.remove(StoreObjects.wrap(n)))).orElse(List.of()));
        return RemoveNodeResponse.newBuilder().setNodeId(target.getId()).build();
    
    }
}
