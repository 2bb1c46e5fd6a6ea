package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.shoal.api.Node;
import io.shoal.api.NodeStatus;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's liveness: when it last heard of each node (or gave it the benefit of the doubt), and
 * the store changes when that changes. The store is written only when a node turns Down or Ready
 * again, so steady heartbeats cost no Raft writes. A new leader gives every node a full down-after
 * before judging it, and so does a node that just turned Ready (its session may be on a follower
 * whose first report is still on its way); time the leader itself did not run (a long pause) does
 * not count against the nodes.
 */
final class LeaderLiveness implements Liveness {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderLiveness.class);

    private final ClusterStore store;
    private final StoreWriter writer;
    private final Sessions sessions;
    private final Heard heard;
    private final Supplier<HeartbeatPolicy> policy;
    private final LongSupplier clock;
    /** when each node was last heard of, or given the benefit of the doubt */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    /** nodes last heard of through a follower's report (which comes up to a period after the heartbeat) */
    private final Set<String> remote = ConcurrentHashMap.newKeySet();
    private final Ticker ticker;

    LeaderLiveness(ClusterStore store, StoreWriter writer, Sessions sessions, Heard heard, Supplier<HeartbeatPolicy> policy,
                   LongSupplier clock, ScheduledExecutorService scheduler) {
        this.store = store;
        this.writer = writer;
        this.sessions = sessions;
        this.heard = heard;
        this.policy = policy;
        this.clock = clock;
        long now = clock.getAsLong();
        store.view(tx -> tx.nodes()).forEach(n -> lastSeen.put(n.getId(), now));
        this.ticker = Ticker.start(scheduler, () -> policy.get().tickMs(), this::tick, "liveness check");
    }

    @Override
    public void heard(String nodeId, long now) {
        lastSeen.put(nodeId, now);
        remote.remove(nodeId);
    }

    @Override
    public void opening(String nodeId, long now) {
        heard(nodeId, now);
    }

    @Override
    public void heardFrom(Collection<String> nodeIds, long now) {
        for (String id : nodeIds) {
            lastSeen.put(id, now);
            heard.note(id, now);
            remote.add(id);
        }
    }

    @Override
    public void turnedReady(String nodeId, long now) {
        lastSeen.put(nodeId, now);
    }

    @Override
    public void close() {
        ticker.cancel();
    }

    private void tick(long stalledMs) {
        if (stalledMs > 0) {
            // this manager did not run for a while: what it heard meanwhile is still queued, so the
            // silence is not the nodes'
            lastSeen.replaceAll((id, t) -> t + stalledMs);
        }
        check();
    }

    /**
     * Marks Down every Ready node not heard of within down-after (closing its session here), and
     * Ready again every node that is not but was heard within down-after, here or through a
     * follower (e.g. it was marked Down during a pause longer than down-after and kept its session).
     */
    void check() {
        long now = clock.getAsLong();
        HeartbeatPolicy p = policy.get();
        long downAfter = p.downAfterMs(now);
        List<Node> nodes = store.view(tx -> tx.nodes());
        List<String> revived = nodes.stream()
                .filter(n -> n.getStatus().getState() != NodeStatus.State.READY)
                .filter(n -> now - heard.last(n.getId(), Long.MIN_VALUE / 2) <= downAfter)
                .map(Node::getId)
                .toList();
        if (!revived.isEmpty()) {
            revived.forEach(id -> lastSeen.put(id, now));
            writer.update(tx -> revived.stream()
                    .flatMap(id -> tx.node(id).stream())
                    .filter(n -> n.getStatus().getState() != NodeStatus.State.READY)
                    .map(n -> Batches.update(StoreObjects.wrap(n.toBuilder()
                            .setStatus(n.getStatus().toBuilder().setState(NodeStatus.State.READY).setMessage(""))
                            .build())))
                    .toList());
            LOG.info("nodes ready again (heartbeating on an open session): {}", revived);
        }
        List<String> expired = nodes.stream()
                .filter(n -> n.getStatus().getState() == NodeStatus.State.READY)
                .filter(n -> p.overdue(now, lastSeen.getOrDefault(n.getId(), now), remote.contains(n.getId())))
                .map(Node::getId)
                .toList();
        if (expired.isEmpty()) {
            return;
        }
        Set<String> gone = Set.copyOf(expired);
        sessions.closeIf(s -> gone.contains(s.nodeId()), Status.UNAVAILABLE.withDescription("heartbeat timeout"));
        writer.update(tx -> expired.stream()
                .flatMap(id -> tx.node(id).stream())
                .filter(n -> n.getStatus().getState() == NodeStatus.State.READY)
                .map(n -> Batches.update(StoreObjects.wrap(n.toBuilder()
                        .setStatus(n.getStatus().toBuilder().setState(NodeStatus.State.DOWN).setMessage("heartbeat failure")
                                .setSinceMs(clock.getAsLong()))
                        .build())))
                .toList());
        LOG.info("nodes down (no heartbeat for {} ms): {}", downAfter, expired);
    }
}
