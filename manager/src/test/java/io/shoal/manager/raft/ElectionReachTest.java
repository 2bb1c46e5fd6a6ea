package io.shoal.manager.raft;

import org.apache.ratis.proto.RaftProtos.CandidateInfoProto;
import org.apache.ratis.proto.RaftProtos.FollowerInfoProto;
import org.apache.ratis.proto.RaftProtos.LeaderInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElectionReachTest {
    private static final RaftPeerId M1 = RaftPeerId.valueOf("m1");
    private static final RaftPeerId M2 = RaftPeerId.valueOf("m2");
    private static final RaftPeerId M3 = RaftPeerId.valueOf("m3");

    private final List<RaftPeerId> resets = new ArrayList<>();
    private RoleInfoProto role;
    private final ElectionReach reach = new ElectionReach(M1, () -> role, () -> List.of(peer(M1), peer(M2), peer(M3)), resets::add,
            Duration.ofMillis(300));

    private static RaftPeer peer(RaftPeerId id) {
        return RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:1").build();
    }

    private static RoleInfoProto follower(long sinceLeaderMs) {
        return RoleInfoProto.newBuilder().setRole(RaftPeerRole.FOLLOWER)
                .setFollowerInfo(FollowerInfoProto.newBuilder()
                        .setLeaderInfo(ServerRpcProto.newBuilder().setLastRpcElapsedTimeMs(sinceLeaderMs)))
                .build();
    }

    @Test
    void aFollowerThatHearsItsLeaderResetsNothing() {
        role = follower(150);
        assertFalse(reach.check());
        assertEquals(List.of(), resets);
    }

    @Test
    void aFollowerSilentForTwoThirdsOfTheMinimumTimeoutResetsEveryOtherPeer() {
        role = follower(200);
        assertTrue(reach.check());
        assertEquals(List.of(M2, M3), resets);
    }

    @Test
    void aCandidateResetsEveryOtherPeerAtEachCheck() {
        role = RoleInfoProto.newBuilder().setRole(RaftPeerRole.CANDIDATE)
                .setCandidateInfo(CandidateInfoProto.newBuilder().setLastLeaderElapsedTimeMs(5_000)).build();
        assertTrue(reach.check());
        assertTrue(reach.check());
        assertEquals(List.of(M2, M3, M2, M3), resets);
    }

    @Test
    void aMemberWhoseServerIsGoneSkipsTheCheck() {
        ElectionReach gone = new ElectionReach(M1, () -> {
            throw new IllegalStateException("the Raft member is not running");
        }, List::of, resets::add, Duration.ofMillis(300));
        gone.run();
        assertEquals(List.of(), resets);
    }

    @Test
    void aLeaderResetsNothing() {
        role = RoleInfoProto.newBuilder().setRole(RaftPeerRole.LEADER)
                .setLeaderInfo(LeaderInfoProto.newBuilder().setTerm(3)).build();
        assertFalse(reach.check());
        assertEquals(List.of(), resets);
    }
}
