package io.shoal.manager.raft;

import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Tells when a follower has stopped committing although its leader is ahead of it: the member
 * answers its leader, but the appends it accepted never reach its disk (and every later one is
 * refused because the entries before it are missing), so it never catches up and never counts
 * towards a majority again.
 *
 * <p>Seen once in ChaosIT's long run: a follower started again after a kill caught up to some index,
 * and from then on its log stayed there for five minutes while its leaders committed thousands of
 * entries past it ("previous log entry not found", next index the same at every reply, no error
 * anywhere). With one of three managers silently out, every later leader kill waited for the
 * killed member to come back (windows of 3.4-7.2 s instead of under 1 s). {@link MemberRecovery}
 * starts such a member again from its storage, as after a failed write, which gives it a new log
 * and append pipeline; the first time, the threads of the process are logged, to find the cause.
 */
final class LogStall {
    /** Longer than a snapshot install or a catch-up pause of a loaded member takes. */
    static final Duration DEFAULT_AFTER = Duration.ofSeconds(20);
    private static final long NONE = Long.MIN_VALUE;

    private final long afterNs;
    private final LongSupplier nanoClock;
    /** the commit index the count started at; none while the member is not behind its leader */
    private long lastCommit = NONE;
    private long since;

    LogStall(Duration after, LongSupplier nanoClock) {
        this.afterNs = after.toNanos();
        this.nanoClock = nanoClock;
    }

    /** One look at a member's Ratis division: {@link #check(boolean, long, long)} with what it knows. */
    String check(RaftServer.Division d) {
        RoleInfoProto role = d.getInfo().getRoleInfoProto();
        RaftPeerId leader = d.getInfo().getLeaderId();
        // not "heard within the election timeout": a follower with an append in progress never times
        // out, and its leader, waiting for the answers, may send it nothing for a while
        boolean following = role.getRole() == RaftPeerRole.FOLLOWER && leader != null;
        long leaderCommit = -1;
        if (following) {
            for (CommitInfoProto c : d.getCommitInfos()) {
                if (RaftPeerId.valueOf(c.getServer().getId()).equals(leader)) {
                    leaderCommit = c.getCommitIndex();
                }
            }
        }
        return check(following, d.getRaftLog().getLastCommittedIndex(), leaderCommit);
    }

    /**
     * One look at the member.
     *
     * @param following    the member follows a leader it knows
     * @param commitIndex  the member's own commit index (a follower commits only what its log holds
     *                     on disk, so it stops where its log stops)
     * @param leaderCommit the leader's commit index as the member last heard it, -1 if unknown
     * @return why the member is stalled, or null
     */
    String check(boolean following, long commitIndex, long leaderCommit) {
        long now = nanoClock.getAsLong();
        if (!following || leaderCommit <= commitIndex) {
            lastCommit = NONE; // counted again from the next look that finds it behind its leader
            return null;
        }
        if (commitIndex != lastCommit) {
            lastCommit = commitIndex;
            since = now;
            return null;
        }
        long stalledNs = now - since;
        if (stalledNs < afterNs) {
            return null;
        }
        return "it has committed nothing past index " + commitIndex + " for " + stalledNs / 1_000_000_000L
                + " s while its leader committed up to " + leaderCommit;
    }
}
