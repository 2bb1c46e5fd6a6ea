package io.shoal.manager.raft;

import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerContactTest {
    private static RaftRpcRequestProto from(String peer) {
        return RaftRpcRequestProto.newBuilder()
                .setRequestorId(ByteString.copyFromUtf8(peer)).build();
    }

    @Test
    void everyServerToServerRequestNamesItsSender() {
        Optional<RaftPeerId> m2 = Optional.of(RaftPeerId.valueOf("m2"));
        assertEquals(m2, PeerContact.sender(RequestVoteRequestProto.newBuilder().setServerRequest(from("m2")).build()));
        assertEquals(m2, PeerContact.sender(AppendEntriesRequestProto.newBuilder().setServerRequest(from("m2")).build()));
        assertEquals(m2, PeerContact.sender(InstallSnapshotRequestProto.newBuilder().setServerRequest(from("m2")).build()));
        assertEquals(m2, PeerContact.sender(ReadIndexRequestProto.newBuilder().setServerRequest(from("m2")).build()));
        assertEquals(m2, PeerContact.sender(StartLeaderElectionRequestProto.newBuilder().setServerRequest(from("m2")).build()));
    }

    @Test
    void clientsAndRequestsWithoutASenderNameNoPeer() {
        assertTrue(PeerContact.sender(RaftClientRequestProto.newBuilder().setRpcRequest(from("client-1")).build()).isEmpty());
        assertTrue(PeerContact.sender(RequestVoteRequestProto.getDefaultInstance()).isEmpty());
        assertTrue(PeerContact.sender("not a request").isEmpty());
    }

    /** A stream of appends is one call: the sender is told once, at its first message, and every message goes on. */
    @Test
    void aCallTellsItsSenderOnceAndPassesEveryMessageOn() {
        List<RaftPeerId> heard = new ArrayList<>();
        List<Object> delivered = new ArrayList<>();
        PeerContact contact = new PeerContact(heard::add);
        ServerCall.Listener<Object> listener = contact.interceptCall(null, new Metadata(), (call, headers) -> new ServerCall.Listener<>() {
            @Override
            public void onMessage(Object message) {
                delivered.add(message);
            }
        });
        for (int i = 0; i < 3; i++) {
            listener.onMessage(AppendEntriesRequestProto.newBuilder().setServerRequest(from("m3")).build());
        }
        assertEquals(List.of(RaftPeerId.valueOf("m3")), heard);
        assertEquals(3, delivered.size());
    }
}
