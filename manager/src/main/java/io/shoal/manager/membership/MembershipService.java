package io.shoal.manager.membership;

import io.grpc.stub.StreamObserver;
import io.shoal.api.JoinRaftRequest;
import io.shoal.api.JoinRaftResponse;
import io.shoal.api.LeaveRaftRequest;
import io.shoal.api.LeaveRaftResponse;
import io.shoal.api.RaftMembershipGrpc;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.rpc.Calls;

/** Raft membership calls from managers; served on the leader (followers relay them). */
public final class MembershipService extends RaftMembershipGrpc.RaftMembershipImplBase {
    private final ManagerRoles roles;

    public MembershipService(ManagerRoles roles) {
        this.roles = roles;
    }

    @Override
    public void joinRaft(JoinRaftRequest req, StreamObserver<JoinRaftResponse> obs) {
        Calls.unary(obs, () -> {
            Caller caller = Caller.requireNode();
            if (req.getRaftAddr().isBlank()) {
                throw Calls.invalid("raft_addr is required");
            }
            return JoinRaftResponse.newBuilder().addAllPeers(roles.join(caller.nodeId(), req.getRaftAddr())).build();
        });
    }

    @Override
    public void leaveRaft(LeaveRaftRequest req, StreamObserver<LeaveRaftResponse> obs) {
        Calls.unary(obs, () -> {
            Caller caller = Caller.requireNode();
            roles.leave(caller.nodeId(), true);
            return LeaveRaftResponse.getDefaultInstance();
        });
    }
}
