package io.shoal.manager.raft;

import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Tells who the member heard from: the first message of every call on Ratis' server-to-server
 * service names the peer that sent it (a vote, an append, a snapshot, a read index, a request to
 * campaign), and a peer that sends is up. {@link ReconnectBackoff} uses it to stop this member's own
 * channel to that peer from waiting out gRPC's reconnect back-off.
 */
final class PeerContact implements ServerInterceptor {
    private final Consumer<RaftPeerId> heardFrom;

    PeerContact(Consumer<RaftPeerId> heardFrom) {
        this.heardFrom = heardFrom;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean heard; // a call's messages arrive one at a time

            @Override
            public void onMessage(Q message) {
                if (!heard) {
                    heard = true;
                    sender(message).ifPresent(heardFrom);
                }
                super.onMessage(message);
            }
        };
    }

    /** The peer that sent a server-to-server request; empty for anything else (clients, admin). */
    static Optional<RaftPeerId> sender(Object message) {
        RaftRpcRequestProto request = switch (message) {
            case RequestVoteRequestProto m -> m.getServerRequest();
            case AppendEntriesRequestProto m -> m.getServerRequest();
            case InstallSnapshotRequestProto m -> m.getServerRequest();
            case ReadIndexRequestProto m -> m.getServerRequest();
            case StartLeaderElectionRequestProto m -> m.getServerRequest();
            default -> null;
        };
        return request == null || request.getRequestorId().isEmpty()
                ? Optional.empty()
                : Optional.of(RaftPeerId.valueOf(request.getRequestorId()));
    }
}
