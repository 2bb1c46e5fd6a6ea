package io.shoal.manager.raft;

import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Lets a member that is about to campaign reach every peer at once: while it has not heard its leader
 * for most of the minimum election timeout, or while it campaigns, its channels to the other members
 * stop waiting out gRPC's reconnect back-off.
 *
 * <p>{@link PeerContact} ends a channel's back-off when the peer calls this member, but a member that
 * was restarted and follows calls no one. ChaosIT's long run: a survivor's pre-votes to such a member
 * failed at once for 1.2 s after a leader kill (its channel still waited out the back-off left from
 * the member's downtime), and as the survivor held the longest log, no leader was elected until then.
 * A reset is a no-op on a channel that is connected or idle; on one in back-off it connects now, so a
 * dead peer costs one refused connect per check while the member campaigns.
 *
 * <p>{@link #check} runs every third of the minimum election timeout: a follower resets its channels
 * between two and three thirds of it after its leader's last call, before its own timeout (which is
 * never under the minimum) makes it campaign.
 */
final class ElectionReach implements Runnable {
    private final RaftPeerId self;
    private final Supplier<RoleInfoProto> role;
    private final Supplier<Collection<RaftPeer>> peers;
    private final Consumer<RaftPeerId> reset;
    private final long quietMs;

    /**
     * @param role                the member's role now (Ratis' role info)
     * @param peers               the members of the current configuration
     * @param reset               ends the back-off of this member's channel to a peer ({@link ReconnectBackoff})
     * @param electionTimeoutMin  the member's minimum election timeout
     */
    ElectionReach(RaftPeerId self, Supplier<RoleInfoProto> role, Supplier<Collection<RaftPeer>> peers,
                  Consumer<RaftPeerId> reset, Duration electionTimeoutMin) {
        this.self = self;
        this.role = role;
        this.peers = peers;
        this.reset = reset;
        this.quietMs = electionTimeoutMin.toMillis() * 2 / 3;
    }

    /** How often {@link #check} must run for a follower to reset its channels before it campaigns. */
    static Duration period(Duration electionTimeoutMin) {
        return electionTimeoutMin.dividedBy(3);
    }

    /** {@link #check}, on the member's watcher thread: a member that is starting again or closing has nothing to reach. */
    @Override
    public void run() {
        try {
            check();
        } catch (RuntimeException e) {
            // its server is being replaced or closed: the next check sees the new one
        }
    }

    /** Resets the channel to every other member if this member campaigns or soon will; true if it did. */
    boolean check() {
        RoleInfoProto now = role.get();
        boolean campaigning = switch (now.getRole()) {
            case CANDIDATE -> true;
            case FOLLOWER -> now.getFollowerInfo().getLeaderInfo().getLastRpcElapsedTimeMs() >= quietMs;
            default -> false;
        };
        if (campaigning) {
            for (RaftPeer p : peers.get()) {
                if (!p.getId().equals(self)) {
                    reset.accept(p.getId());
                }
            }
        }
        return campaigning;
    }
}
