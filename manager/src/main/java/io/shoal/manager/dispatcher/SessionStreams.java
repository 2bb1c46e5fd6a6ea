package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.WeightedPeer;
import io.shoal.manager.membership.AdvertiseAddress;
import io.shoal.manager.membership.ClusterCa;
import io.shoal.manager.membership.NodeCaService;
import io.shoal.manager.store.ClusterStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Opening sessions and keeping their streams current: a session opens once the node's Ready state
 * (with its description and address) is committed, and its stream gets a new session message
 * (the node, the heartbeat period, the managers, the roots to trust) whenever the node, the set of
 * managers or the cluster's roots change.
 */
final class SessionStreams {
    private static final Logger LOG = LoggerFactory.getLogger(SessionStreams.class);

    private final ClusterStore store;
    private final Sessions sessions;
    private final Supplier<HeartbeatPolicy> policy;
    /** the session streams of each node (node or manager changes) */
    private final Wakeups wakeups = new Wakeups();
    /** The managers every session message lists, kept as the store changes (not scanned per message). */
    private volatile List<WeightedPeer> managers = List.of();

    SessionStreams(ClusterStore store, Sessions sessions, Supplier<HeartbeatPolicy> policy) {
        this.store = store;
        this.sessions = sessions;
        this.policy = policy;
    }

    Wakeups wakeups() {
        return wakeups;
    }

    void refreshManagers() {
        managers = store.view(tx -> tx.nodes().stream().filter(n -> n.getRole() == NodeRole.NODE_ROLE_MANAGER)
                .map(n -> WeightedPeer.newBuilder().setNodeId(n.getId()).setAddr(n.getAdvertiseAddr()).build()).toList());
    }

    /** Marks the node Ready (committed through {@code batcher}), then opens its session and streams its messages. */
    Sessions.Session open(String nodeId, SessionRequest req, ServerCallStreamObserver<SessionMessage> stream, StatusBatcher batcher) {
        markReady(nodeId, req, batcher);
        Sessions.Session s = sessions.open(nodeId, stream);
        send(s);
        Thread.ofVirtual().name("session-" + nodeId).start(() -> follow(s));
        return s;
    }

    private static void markReady(String nodeId, SessionRequest req, StatusBatcher batcher) {
        if (!req.getAdvertiseAddr().isEmpty()) {
            AdvertiseAddress.ip(req.getAdvertiseAddr()); // refused before anything is written
        }
        try {
            // coalesced with the other sessions opening now: one entry for a burst of reconnects
            batcher.changeNode(nodeId, n -> {
                Node.Builder b = n.toBuilder();
                if (req.hasDescription()) {
                    b.setDescription(req.getDescription());
                }
                if (!req.getAdvertiseAddr().isEmpty()) {
                    b.setAdvertiseAddr(req.getAdvertiseAddr());
                }
                b.setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)
                        .setAddr(NodeCaService.hostOf(b.getAdvertiseAddr())));
                return b.build();
            }).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw Status.UNAVAILABLE.withDescription("the node's state was not committed within 30 s").asRuntimeException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.UNAVAILABLE.withDescription("interrupted").asRuntimeException();
        }
    }

    /** Pushes a new session message whenever this node or the set of managers changes. */
    private void follow(Sessions.Session s) {
        Semaphore wake = wakeups.register(s.nodeId());
        try {
            send(s); // covers a change between the first message and the registration
            while (sessions.live(s) && !s.stream().isCancelled()) {
                if (Wakeups.await(wake)) {
                    send(s);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("session {} of {} ended: {}", s.id(), s.nodeId(), e.toString());
        } finally {
            wakeups.unregister(s.nodeId(), wake);
        }
    }

    private void send(Sessions.Session s) {
        SessionMessage.Builder m = SessionMessage.newBuilder().setSessionId(s.id()).setHeartbeatPeriodMs(policy.get().periodMs());
        store.view(tx -> tx.node(s.nodeId())).ifPresent(m::setNode);
        store.view(tx -> tx.cluster()).ifPresent(c -> m.setTrustedRootsPem(ClusterCa.trustedRootsPem(c.getRootCa()))
                .setIssuingCaDigest(ClusterCa.issuingDigest(c.getRootCa())));
        s.send(m.addAllManagers(managers).build());
    }
}
