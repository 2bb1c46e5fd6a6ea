package io.shoal.node;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.Cluster;
import io.shoal.api.InitResponse;
import io.shoal.api.JoinTokens;
import io.shoal.manager.Manager;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code shoal init --force-new-cluster}, docker's {@code swarm init --force-new-cluster}: a
 * manager that survived the loss of its cluster's quorum becomes the only manager of a cluster
 * made from its own data (the same cluster id, CA, services, nodes, networks, secrets and
 * configs). Workers keep their tasks running and reconnect to it; new managers join with the
 * manager token. The steps (see docs/disaster-recovery.md):
 * <ol>
 *   <li>refuse, changing nothing, unless this node is a manager with Raft data whose group has no
 *       leader ({@link #check});</li>
 *   <li>stop the manager and make it its Raft group's only voter ({@link ClusterMember#closeAsOnlyVoter});</li>
 *   <li>start it again: it elects itself and commits every entry of its log;</li>
 *   <li>in the store, turn the lost managers into Down workers ({@link Manager#forgetOtherManagers}).</li>
 * </ol>
 * Every step can be repeated: a daemon stopped half-way resumes as the only voter, and the command
 * run again finishes the rest.
 */
final class ForceNewCluster {
    /** How long a new cluster's first leader may take to be elected and ready. */
    static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);

    private ForceNewCluster() {
    }

    /**
     * The node's next state (itself the only manager, a Raft voter), or FAILED_PRECONDITION with one
     * line when this node cannot start a new cluster from its data: no cluster, a worker, no Raft
     * data, a manager role that is not running, or a Raft group that still elects a leader among
     * several voters ({@code probe}: how long to look for one).
     */
    static NodeState check(NodeState state, ClusterMember member, NodeFiles files, Duration probe) {
        if (state == null) {
            throw refused("this node is not part of a cluster, so it has no manager data to start a new cluster from; "
                    + "use 'shoal init' without --force-new-cluster, or restore a manager's data dir first");
        }
        if (!state.isManager()) {
            throw refused("this node is a worker: --force-new-cluster needs a manager's data; run it on a surviving manager");
        }
        if (!hasFiles(files.raft())) {
            throw refused("this node has no Raft data in " + files.raft() + ": --force-new-cluster needs a manager's data");
        }
        if (member == null || member.manager() == null) {
            throw refused("this manager's cluster role is not running (see the daemon's log): it cannot start a new cluster");
        }
        Manager manager = member.manager();
        if (manager.consensus().members().size() <= 1) {
            return nextState(state); // already the only voter (a repeated command): finish the rest again
        }
        try {
            manager.waitForLeader(probe);
        } catch (StatusRuntimeException noLeader) {
            return nextState(state);
        }
        if (!manager.consensus().hearsFromLeader(probe)) {
            return nextState(state); // the leader this member last knew has been silent for longer than elections take
        }
        String leader = manager.consensus().leaderId().orElse("?");
        throw refused("the cluster still has a leader (node " + leader + ") and so its quorum: --force-new-cluster is only "
                + "for a cluster that lost it; remove lost managers with 'shoal node demote' and 'shoal node rm' instead");
    }

    private static NodeState nextState(NodeState state) {
        return state.withManagers(List.of(state.advertiseAddr())).withRole(NodeState.MANAGER, true);
    }

    /** Once the member runs again as the only voter: fixes the store and answers as init does. */
    static InitResponse finish(ClusterMember member, NodeState state) {
        Manager manager = member.manager();
        manager.forgetOtherManagers(ClusterMember.raftAddr(state), LEADER_TIMEOUT);
        Cluster cluster = manager.store().view(tx -> tx.cluster())
                .orElseThrow(() -> Status.INTERNAL.withDescription("the recovered store holds no cluster object").asRuntimeException());
        JoinTokens tokens = cluster.getRootCa().getJoinTokens();
        return InitResponse.newBuilder().setNodeId(state.nodeId()).setClusterId(state.clusterId())
                .setWorkerToken(tokens.getWorker()).setManagerToken(tokens.getManager())
                .setAdvertiseAddr(state.advertiseAddr()).build();
    }

    private static boolean hasFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private static StatusRuntimeException refused(String why) {
        return Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException();
    }
}
