package io.shoal.manager.membership;

import io.shoal.api.ManagerStatus;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.time.Duration;
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
