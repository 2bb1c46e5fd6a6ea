package io.shoal.manager.dispatcher;

import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A follower's liveness: it tells the leader once a period, in one call, which nodes it heard
 * since the last time (the only way liveness reaches the leader: a report that reached this
 * follower by mistake, e.g. from a manager that still took it for the leader, goes on with its
 * own), and it ends the sessions of workers silent here for down-after; the leader judges the
 * nodes themselves.
 *
 * <p>When its reports have failed for longer than down-after (this manager lost the leader: it
 * is cut off from it, or no longer in the Raft group after a demotion), it ends every session it
 * serves. The leader, which has not heard of those nodes for as long, judges them Down, and this
 * manager's store no longer follows the cluster's; the workers find a manager that reaches the
 * leader (as swarm's, whose sessions only the leader's dispatcher serves).
 */
final class FollowerLiveness implements Liveness {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerLiveness.class);

    private final Dispatcher.LeaderLink leader;
    private final Sessions sessions;
    private final Heard heard;
    private final Supplier<HeartbeatPolicy> policy;
    private final LongSupplier clock;
    /** nodes heard since the last report to the leader */
    private final Set<String> toReport = ConcurrentHashMap.newKeySet();
    private final Ticker ticker;
    private long lastReport; // only the ticker's thread (or a test) reads and writes it
    /** when the reports to the leader began to fail, -1 while the last one reached it */
    private long failingSince = -1;

    FollowerLiveness(Dispatcher.LeaderLink leader, Sessions sessions, Heard heard, Supplier<HeartbeatPolicy> policy,
                     LongSupplier clock, ScheduledExecutorService scheduler) {
        this.leader = leader;
        this.sessions = sessions;
        this.heard = heard;
        this.policy = policy;
        this.clock = clock;
        this.ticker = Ticker.start(scheduler, () -> policy.get().tickMs(), stalled -> tick(), "liveness report");
    }

    @Override
    public void heard(String nodeId, long now) {
        toReport.add(nodeId);
    }

    /** Tells the leader at once, before the session's Ready is proposed (concurrent openings share a call). */
    @Override
    public void opening(String nodeId, long now) {
        toReport.add(nodeId);
        report(now);
    }

    @Override
    public void heardFrom(Collection<String> nodeIds, long now) {
        toReport.addAll(nodeIds);
    }

    @Override
    public void turnedReady(String nodeId, long now) {
        // the leader gives it its time
    }

    @Override
    public void close() {
        ticker.cancel();
    }

    private synchronized void tick() {
        long now = clock.getAsLong();
        if (now - lastReport >= policy.get().periodMs()) {
            lastReport = now;
            report(now);
        }
        closeSilentSessions(now);
        closeSessionsIfLeaderLost(now);
    }

    /** One call to the leader naming every node heard since the last one. */
    void report() {
        report(clock.getAsLong());
    }

    private synchronized void report(long now) {
        if (toReport.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(toReport);
        toReport.removeAll(ids);
        try {
            leader.reportLiveness(ids);
            failingSince = -1;
        } catch (RuntimeException e) {
            // the next report names whoever is heard by then; a node silent since is judged by that
            LOG.debug("liveness report of {} nodes failed: {}", ids.size(), e.toString());
            if (failingSince < 0) {
                failingSince = now;
            }
        }
    }

    private void closeSessionsIfLeaderLost(long now) {
        long downAfter = policy.get().downAfterMs(now);
        if (failingSince < 0 || now - failingSince <= downAfter || sessions.size() == 0) {
            return;
        }
        LOG.info("this manager has not reached the Raft leader for {} ms: ending its {} worker sessions so that "
                + "they move to a manager that does", now - failingSince, sessions.size());
        failingSince = -1;
        sessions.closeAll(Status.UNAVAILABLE.withDescription("this manager cannot reach the Raft leader; "
                + "connect to another manager"));
    }

    private void closeSilentSessions(long now) {
        long downAfter = policy.get().downAfterMs(now);
        sessions.closeIf(s -> now - heard.last(s.nodeId(), now) > downAfter,
                Status.UNAVAILABLE.withDescription("heartbeat timeout"));
    }
}
