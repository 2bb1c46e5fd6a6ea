package io.shoal.node;

import io.grpc.stub.StreamObserver;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.JoinRequest;
import io.shoal.api.JoinResponse;
import io.shoal.api.LeaveRequest;
import io.shoal.api.LeaveResponse;
import io.shoal.api.LocalInfo;
import io.shoal.api.LocalInfoRequest;
import io.shoal.api.LocalNodeGrpc;
import io.shoal.api.UnlockRequest;
import io.shoal.api.UnlockResponse;
import io.shoal.manager.rpc.Calls;

/** What the local user asks of this node, on the unix socket only. */
final class LocalNodeService extends LocalNodeGrpc.LocalNodeImplBase {
    private final NodeDaemon daemon;

    LocalNodeService(NodeDaemon daemon) {
        this.daemon = daemon;
    }

    @Override
    public void init(InitRequest request, StreamObserver<InitResponse> obs) {
        Calls.unary(obs, () -> request.getForceNewCluster() ? daemon.forceNewCluster() : daemon.init(request));
    }

    @Override
    public void join(JoinRequest request, StreamObserver<JoinResponse> obs) {
        Calls.unary(obs, () -> daemon.join(request));
    }

    @Override
    public void leave(LeaveRequest request, StreamObserver<LeaveResponse> obs) {
        Calls.unary(obs, () -> {
            daemon.leave(request);
            return LeaveResponse.getDefaultInstance();
        });
    }

    @Override
    public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> obs) {
        Calls.unary(obs, () -> {
            daemon.unlock(request);
            return UnlockResponse.getDefaultInstance();
        });
    }

    @Override
    public void info(LocalInfoRequest request, StreamObserver<LocalInfo> obs) {
        Calls.unary(obs, daemon::info);
    }
}
