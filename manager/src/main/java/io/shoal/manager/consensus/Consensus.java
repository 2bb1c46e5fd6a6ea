package io.shoal.manager.consensus;

import io.shoal.manager.store.Proposer;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The replicated log as the rest of the manager sees it. The only implementation that talks to a
 * real Raft group lives in {@code io.shoal.manager.raft}; nothing outside that package imports Ratis.
 *
 * <p>Proposals ({@link #propose}) may be made on any manager: they are routed to the leader,
 * committed by a majority and applied to every manager's store in log order.
 */
public interface Consensus extends Proposer, AutoCloseable {

    /** This manager's id in the group (the node id). */
    String selfId();

    /** True while this manager is the leader and has committed an entry of its own term. */
    boolean isLeader();

    /** The leader this manager currently knows of, if any. */
    Optional<String> leaderId();

    /**
     * Whether a leader is alive as this manager sees it: it leads itself, or it heard from the
     * leader within {@code within} (a follower keeps the last leader's id until its election timeout).
     */
    default boolean hearsFromLeader(Duration within) {
        return isLeader() || leaderId().isPresent();
    }

    /** Raft index of the last entry applied to the local store. */
    long appliedIndex();

    /**
     * Blocks until the local store reflects every write committed before this call (a Raft
     * read-index round), so a read that follows is linearizable.
     *
     * @throws ConsensusException when no leader confirms in time
     */
    void barrier(Duration timeout);

    /** The current voting members, with what the leader knows of their reachability. */
    List<Member> members();

    /** Adds a voter; call on the leader. Returns once the new configuration is committed. */
    void addVoter(String id, String raftAddress, Duration timeout);

    /** Removes a voter; call on the leader. Returns once the new configuration is committed. */
    void removeVoter(String id, Duration timeout);

    /** Called with {@code true} when this manager becomes a ready leader, {@code false} when it stops being one. */
    void onLeadershipChange(Consumer<Boolean> listener);

    /**
     * Completes at the next change of the leader this manager knows of, or of its own readiness
     * to lead (and when the member closes). Take it before checking the condition it may change,
     * then wait on it: a change in between completes it already, so none is missed.
     */
    CompletableFuture<Void> nextLeaderChange();

    @Override
    void close();

    /**
     * A voting member. {@code reachable} is only meaningful on the leader: it is true when the
     * member answered the leader recently (or is the leader itself).
     */
    record Member(String id, String raftAddress, boolean leader, boolean reachable) {}
}
