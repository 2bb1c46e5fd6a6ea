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
            report();
        }
        closeSilentSessions(now);
    }

    /** One call to the leader naming every node heard since the last one. */
    void report() {
        if (toReport.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>(toReport);
        toReport.removeAll(ids);
        try {
            leader.reportLiveness(ids);
        } catch (RuntimeException e) {
            // the next report names whoever is heard by then; a node silent since is judged by that
            LOG.debug("liveness report of {} nodes failed: {}", ids.size(), e.toString());
        }
    }

    private void closeSilentSessions(long now) {
        long downAfter = policy.get().downAfterMs(now);
        sessions.closeIf(s -> now - heard.last(s.nodeId(), now) > downAfter,
                Status.UNAVAILABLE.withDescription("heartbeat timeout"));
    }
}
