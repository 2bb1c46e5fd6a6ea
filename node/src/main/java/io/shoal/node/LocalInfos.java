package io.shoal.node;

import io.grpc.StatusRuntimeException;
import io.shoal.api.ClusterInfo;
import io.shoal.api.LocalInfo;
import io.shoal.api.NodeRole;
import io.shoal.worker.agent.NodeDescriptions;

import java.time.Duration;

/**
 * What {@code shoal info} says of the local node: outside a cluster, locked (autolock), a worker
 * (its own view only: its identity may not read the cluster), or a manager (the cluster as its
 * leader sees it, or why it cannot be reached).
 */
final class LocalInfos {
    private LocalInfos() {}

    /**
     * @param s      the node's state, null outside a cluster
     * @param locked whether the node is a manager waiting for its unlock key
     * @param m      what the node runs in its cluster, null when nothing runs
     */
    static LocalInfo of(NodeState s, boolean locked, ClusterMember m) {
        if (s == null) {
            return LocalInfo.newBuilder().setInCluster(false).setHostname(NodeDescriptions.hostname()).build();
        }
        LocalInfo.Builder b = LocalInfo.newBuilder().setInCluster(true)
                .setNodeId(s.nodeId()).setClusterId(s.clusterId())
                .setRole(s.isManager() ? NodeRole.NODE_ROLE_MANAGER : NodeRole.NODE_ROLE_WORKER)
                .setAdvertiseAddr(s.advertiseAddr()).setHostname(NodeDescriptions.hostname());
        if (locked) {
            return b.setLocked(true).setClusterReachable(false).setError(Refusal.LOCKED).build();
        }
        if (!s.isManager()) {
            // a worker asks no manager: its own identity may not read the cluster
            return b.addAllManagerAddrs(s.managers()).build();
        }
        if (m == null) {
            return b.setClusterReachable(false).setError(Refusal.NOT_IN_CLUSTER).build();
        }
        try {
            ClusterInfo ci = m.clusterInfo(Duration.ofSeconds(5));
            b.setClusterReachable(true).setLeaderNodeId(ci.getLeaderNodeId()).setLeaderAddr(ci.getLeaderAddr())
                    .setManagers(ci.getManagers()).setManagersReachable(ci.getManagersReachable())
                    .setRaftIndex(ci.getRaftIndex()).setNodes(ci.getNodes());
        } catch (StatusRuntimeException e) {
            b.setClusterReachable(false).setError(String.valueOf(e.getStatus().getDescription()));
        }
        return b.build();
    }
}
