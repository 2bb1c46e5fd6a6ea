package io.shoal.manager.dispatcher;

import java.util.Collection;

/**
 * This manager's part in deciding which nodes are alive, by role. The leader's
 * ({@link LeaderLiveness}) keeps when it last heard of each node, here or through followers, and
 * writes a node Down or Ready again when that changes; a follower's ({@link FollowerLiveness})
 * reports the nodes it heard to the leader once a period and ends the sessions of nodes silent
 * here. Both tick on an injected scheduler and read an injected clock; the dispatcher swaps one
 * for the other when leadership changes.
 */
sealed interface Liveness permits LeaderLiveness, FollowerLiveness {

    /** A node was heard on a session here (a heartbeat, a status report, a session opening). */
    void heard(String nodeId, long now);

    /**
     * A node is opening a session here: proof that it is alive, which must reach the leader before
     * the session's Ready is written. A restarted daemon whose new session opens on a follower would
     * otherwise be judged on when the leader last heard of its old one: Ready through the new
     * session, then Down until the follower's next report, then Ready again.
     */
    void opening(String nodeId, long now);

    /** Other managers heard these nodes (a follower's liveness report reached this manager). */
    void heardFrom(Collection<String> nodeIds, long now);

    /** A node just turned Ready in the store (its session may be on another manager). */
    void turnedReady(String nodeId, long now);

    /** Stops ticking; the dispatcher is done with this role. */
    void close();
}
