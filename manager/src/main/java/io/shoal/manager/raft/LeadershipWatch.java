package io.shoal.manager.raft;

import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Follows Ratis' notifications (leader changed; leader ready, once the first entry of its term is
 * applied; not leader any more) instead of polling: logs the leader this member sees, tells the
 * listeners when it becomes or stops being a ready leader, and completes {@link #next}. The checks
 * run on one thread in the order of the notifications, each reading the member's state as it is by
 * then.
 */
final class LeadershipWatch {
    private static final Logger LOG = LoggerFactory.getLogger(LeadershipWatch.class);

    private final String selfId;
    private final Supplier<DivisionInfo> info;
    private final Executor thread;
    private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
    /** completed, and replaced, at every change of the known leader or of this member's leadership */
    private final AtomicReference<CompletableFuture<Void>> change = new AtomicReference<>(new CompletableFuture<>());
    private volatile boolean ready;
    private RaftPeerId knownLeader; // only the watch's thread

    /**
     * @param info   the member's current state (read on {@code thread})
     * @param thread runs the checks one at a time, off Ratis' threads
     */
    LeadershipWatch(String selfId, Supplier<DivisionInfo> info, Executor thread) {
        this.selfId = selfId;
        this.info = info;
        this.thread = thread;
    }

    /** Ratis told of a change of the leader or of this member's readiness: check on the watch's thread. */
    void event() {
        try {
            thread.execute(this::check);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** True while this member leads and has applied the first entry of its term. */
    boolean ready() {
        return ready;
    }

    /** Completes at the next change of the known leader or of this member's leadership. */
    CompletableFuture<Void> next() {
        return change.get();
    }

    void listen(Consumer<Boolean> listener) {
        listeners.add(listener);
    }

    /** This member no longer leads (its server failed or closes): the loops stop at once, not when Ratis says so. */
    void stopped() {
        if (ready) {
            ready = false;
            LOG.info("{} is no longer leader", selfId);
            tell(false);
        }
        knownLeader = null;
        change.getAndSet(new CompletableFuture<>()).complete(null);
    }

    private void check() {
        try {
            DivisionInfo now = info.get();
            RaftPeerId leaderNow = now.getLeaderId();
            boolean changed = false;
            if (!Objects.equals(leaderNow, knownLeader)) {
                knownLeader = leaderNow;
                changed = true;
                LOG.info("{} sees the Raft leader {} (term {}, role {})", selfId,
                        leaderNow == null ? "as unknown" : "as " + leaderNow, now.getCurrentTerm(), now.getCurrentRole());
            }
            boolean readyNow = now.isLeader() && now.isLeaderReady();
            if (readyNow != ready) {
                changed = true;
                ready = readyNow;
                LOG.info("{} {} leader", selfId, readyNow ? "became" : "is no longer");
                tell(readyNow);
            }
            if (changed) {
                change.getAndSet(new CompletableFuture<>()).complete(null);
            }
        } catch (RuntimeException e) {
            LOG.debug("leadership check failed", e);
        }
    }

    private void tell(boolean leading) {
        for (Consumer<Boolean> l : listeners) {
            try {
                l.accept(leading);
            } catch (RuntimeException e) {
                LOG.warn("leadership listener failed", e);
            }
        }
    }
}
