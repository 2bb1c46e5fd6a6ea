package io.shoal.manager.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Brings a manager's Raft member back after its storage failed. Once a write to the Raft log fails
 * (a full disk, an I/O error), Ratis fails every later write of the member (a leader's log is
 * closed too), so it serves no more: it answers every append with an error. {@link #check}, called
 * every second on one thread, notices it, stops the member, and starts it again from its storage
 * once its filesystem has room, retrying with a growing pause (up to 10 s) until it starts.
 * A follower that stopped committing behind its leader ({@link LogStall}) is started again the same way.
 * Recovery drops only a torn last entry, which was never acknowledged; the store is not rolled back
 * (its applied entries are skipped on replay), and the leader sends what the member lacks.
 *
 * <p>A member that Ratis shut down because it is no longer in the group (its voters answered its
 * election with "shut down": it was removed, say by a demote) is left stopped: started again it
 * would only campaign and be told to shut down once more.
 */
final class MemberRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(MemberRecovery.class);
    /** A failed member starts again only once its filesystem has this much room (two 8 MB segments). */
    static final long ROOM_TO_START = 16L << 20;
    /** A member that fails again within this time of a start backs off further. */
    private static final long STABLE_NS = TimeUnit.SECONDS.toNanos(30);
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 10_000;

    /** The member as the recovery sees it. */
    interface Member {
        /** Why the member no longer works (its log failed, it stopped), or null while it works. */
        String failure();

        /** True once Ratis shut the member down because it is no longer in the group. */
        boolean removedFromGroup();

        /** Stops the failed member (it no longer leads; its server is closed). */
        void stop();

        /** Starts the member again from its storage; throws if it cannot start. */
        void startAgain() throws IOException;
    }

    private final String selfId;
    private final String storageDir;
    private final Member member;
    private final LongSupplier nanoClock;
    private final LongSupplier room;
    /** when the member failed (ns), 0 while it works */
    private long failedAt;
    private long nextAttemptAt;
    private long restartAttempts;
    private long restartedAt;
    private boolean waitingForRoom;
    private boolean removed;

    /**
     * @param room the usable bytes of the storage's filesystem ({@code Long.MAX_VALUE} if unknown)
     */
    MemberRecovery(String selfId, String storageDir, Member member, LongSupplier nanoClock, LongSupplier room) {
        this.selfId = selfId;
        this.storageDir = storageDir;
        this.member = member;
        this.nanoClock = nanoClock;
        this.room = room;
    }

    /** True while the member is down, failed or removed. */
    boolean down() {
        return failedAt != 0 || removed;
    }

    /** One check: notice a failure, and start a failed member again when it is time and there is room. */
    void check() {
        if (removed) {
            return;
        }
        if (failedAt == 0) {
            String failure = member.failure();
            if (failure == null) {
                return;
            }
            if (member.removedFromGroup()) {
                removed = true;
                LOG.info("{} was shut down by Ratis: it is no longer in the Raft group ({}); not starting it again",
                        selfId, failure);
                member.stop();
                return;
            }
            failedAt = now();
            if (restartedAt == 0 || failedAt - restartedAt > STABLE_NS) {
                restartAttempts = 0; // not a member that failed again right after a start: no back-off
            }
            nextAttemptAt = failedAt + TimeUnit.MILLISECONDS.toNanos(backoffMs());
            LOG.error("the Raft log of {} failed ({}): this member stopped; starting it again from {}, retrying until it starts "
                    + "(on a full disk: once space is freed)", selfId, failure, storageDir);
            member.stop();
        }
        if (now() - nextAttemptAt < 0) {
            return;
        }
        // a start on a full disk fails, or worse: Ratis may then write its term and vote into a file
        // it cannot fill, which leaves the member unable to start at all
        long free = room.getAsLong();
        if (free < ROOM_TO_START) {
            if (!waitingForRoom) {
                waitingForRoom = true;
                LOG.warn("{} starts again once {} has {} MB free ({} bytes now)", selfId, storageDir, ROOM_TO_START >> 20, free);
            }
            return;
        }
        waitingForRoom = false;
        restartAttempts++;
        try {
            member.startAgain();
            LOG.info("{} started again from its storage after {} ms (attempt {})", selfId,
                    (now() - failedAt) / 1_000_000L, restartAttempts);
            failedAt = 0;
            restartedAt = now();
        } catch (IOException | RuntimeException e) {
            nextAttemptAt = now() + TimeUnit.MILLISECONDS.toNanos(backoffMs());
            LOG.warn("{} (attempt {})", e.getMessage(), restartAttempts);
        }
    }

    /** 0 s before the first attempt, then 2, 4, 8, 10, 10 ... s */
    long backoffMs() {
        return restartAttempts == 0 ? 0 : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(4, restartAttempts));
    }

    private long now() {
        return nanoClock.getAsLong();
    }
}
