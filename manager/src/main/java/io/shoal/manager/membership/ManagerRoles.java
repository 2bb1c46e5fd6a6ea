package io.shoal.manager.membership;

import io.shoal.api.ManagerStatus;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes to the set of managers, done on the leader: adding a voter when a promoted or joining
 * manager is ready, and removing one on demote or leave, refusing changes that would lose quorum.
 * The Raft configuration changes first; the node object follows, so the store never names a
 * manager that Raft does not have.
 */
public final class ManagerRoles {
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(20);

    private final ClusterStore store;
    private final StoreWriter writer;
    private final Consensus consensus;

    public ManagerRoles(ClusterStore store, StoreWriter writer, Consensus consensus) {
        this.store = store;
        this.writer = writer;
        this.consensus = consensus;
    }

    /** A manager node whose Raft server is up asks to become a voter. */
    public List<String> join(String nodeId, String raftAddr) {
        Node node = store.view(tx -> tx.node(nodeId))
                .orElseThrow(() -> Calls.notFound("node " + nodeId + " is not part of this cluster"));
        if (node.getSpec().getDesiredRole() != NodeRole.NODE_ROLE_MANAGER) {
            throw Calls.precondition("node " + nodeId + " is not meant to be a manager");
        }
        if (consensus.members().stream().noneMatch(m -> m.id().equals(nodeId))) {
            consensus.addVoter(nodeId, raftAddr, CHANGE_TIMEOUT);
        }
        writer.update(tx -> tx.node(nodeId).map(n -> List.of(Batches.update(StoreObjects.wrap(n.toBuilder()
                .setRole(NodeRole.NODE_ROLE_MANAGER)
                .setManagerStatus(ManagerStatus.newBuilder().setRaftId(nodeId).setAddr(raftAddr))
                .build())))).orElse(List.of()));
        return consensus.members().stream().map(Consensus.Member::raftAddress).toList();
    }

    /** Demotes a manager to a worker, or refuses with the reason. */
    public void demote(Node target, boolean force) {
        checkRemovable(target.getId(), force);
        consensus.removeVoter(target.getId(), CHANGE_TIMEOUT);
        writer.update(tx -> tx.node(target.getId()).map(n -> List.of(Batches.update(StoreObjects.wrap(n.toBuilder()
                .setRole(NodeRole.NODE_ROLE_WORKER)
                .clearManagerStatus()
                .setSpec(n.getSpec().toBuilder().setDesiredRole(NodeRole.NODE_ROLE_WORKER))
                .build())))).orElse(List.of()));
    }

    /** A manager leaves the Raft group for good (shoal leave --force on a manager). */
    public void leave(String nodeId, boolean force) {
        checkRemovable(nodeId, force);
        consensus.removeVoter(nodeId, CHANGE_TIMEOUT);
        writer.update(tx -> tx.node(nodeId).map(n -> List.of(Batches.update(StoreObjects.wrap(n.toBuilder()
                .setRole(NodeRole.NODE_ROLE_WORKER)
                .clearManagerStatus()
                .setSpec(n.getSpec().toBuilder().setDesiredRole(NodeRole.NODE_ROLE_WORKER))
                .setStatus(n.getStatus().toBuilder().setState(NodeStatus.State.DOWN).setMessage("left the cluster"))
                .build())))).orElse(List.of()));
    }

    /**
     * After {@code init --force-new-cluster}: this manager ({@code selfId}, now at {@code advertiseAddr}
     * and {@code raftAddr}) is the only one, so every other manager becomes a worker that is Down, as
     * the store never names a manager Raft does not have. As with docker, the lost managers' nodes
     * stay listed until removed ({@code shoal node rm}); new managers join with the manager token.
     */
    public void forceNewCluster(String selfId, String advertiseAddr, String raftAddr) {
        writer.update(tx -> {
            List<StoreAction> actions = new ArrayList<>();
            for (Node n : tx.nodes()) {
                if (n.getId().equals(selfId)) {
                    actions.add(Batches.update(StoreObjects.wrap(n.toBuilder()
                            .setRole(NodeRole.NODE_ROLE_MANAGER)
                            .setSpec(n.getSpec().toBuilder().setDesiredRole(NodeRole.NODE_ROLE_MANAGER))
                            .setManagerStatus(ManagerStatus.newBuilder().setRaftId(selfId).setAddr(raftAddr))
                            .setAdvertiseAddr(advertiseAddr)
                            .build())));
                } else if (n.getRole() == NodeRole.NODE_ROLE_MANAGER || n.getSpec().getDesiredRole() == NodeRole.NODE_ROLE_MANAGER) {
                    actions.add(Batches.update(StoreObjects.wrap(n.toBuilder()
                            .setRole(NodeRole.NODE_ROLE_WORKER)
                            .clearManagerStatus()
                            .setSpec(n.getSpec().toBuilder().setDesiredRole(NodeRole.NODE_ROLE_WORKER))
                            .setStatus(n.getStatus().toBuilder().setState(NodeStatus.State.DOWN)
                                    .setMessage("removed from the managers by init --force-new-cluster"))
                            .build())));
                }
            }
            return actions;
        });
    }

    private void checkRemovable(String nodeId, boolean force) {
        List<Consensus.Member> members = consensus.members();
        if (members.stream().noneMatch(m -> m.id().equals(nodeId))) {
            return;
        }
        if (members.size() == 1) {
            throw Calls.precondition("node " + nodeId + " is the last manager of the cluster; it can't be demoted or removed");
        }
        long reachableAfter = members.stream().filter(m -> !m.id().equals(nodeId) && m.reachable()).count();
        int after = members.size() - 1;
        if (reachableAfter < after / 2 + 1 && !force) {
            throw Calls.precondition("removing manager " + nodeId + " would leave " + after + " managers of which only "
                    + reachableAfter + " are reachable, which is no majority; bring managers back first or use --force");
        }
    }
}
