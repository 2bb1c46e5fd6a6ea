package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.DispatcherGrpc;
import io.shoal.api.HeartbeatRequest;
import io.shoal.api.HeartbeatResponse;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.WeightedPeer;
import io.shoal.manager.Ids;
import io.shoal.manager.membership.NodeCaService;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.manager.store.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The workers' end of the cluster, run by the leader (followers relay worker calls to it). Each
 * worker holds one session stream; it heartbeats every period; the leader keeps the last heartbeat
 * of each node in memory and writes to the store only when a node's state changes (Ready or Down),
 * so steady-state heartbeats cost no Raft writes. A node is Down when it has not been heard from
 * for {@code downAfter}. A new leader gives every node a full {@code downAfter} before judging it.
 */
public final class Dispatcher extends DispatcherGrpc.DispatcherImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final ClusterStore store;
    private final StoreWriter writer;
    private final Duration period;
    private final Duration downAfter;
    private final LongSupplier clock;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private volatile boolean running;
    private Thread loop;
    private Thread hub;
    /** node id -> wake-ups of the session streams of that node (node or manager changes) */
    private final Map<String, java.util.Set<java.util.concurrent.Semaphore>> sessionWaiters = new ConcurrentHashMap<>();
    /** node id -> wake-ups of the assignment streams of that node (changes to its tasks) */
    private final Map<String, java.util.Set<java.util.concurrent.Semaphore>> taskWaiters = new ConcurrentHashMap<>();

    private record Session(String id, String nodeId, ServerCallStreamObserver<SessionMessage> stream) {}

    public Dispatcher(ClusterStore store, StoreWriter writer, Duration period, Duration downAfter, LongSupplier clock) {
        this.store = store;
        this.writer = writer;
        this.period = period;
        this.downAfter = downAfter;
        this.clock = clock;
    }

    /** Starts the liveness loop; called when this manager becomes leader. */
    public synchronized void run() {
        if (running) {
            return;
        }
        running = true;
        long now = clock.getAsLong();
        store.view(tx -> tx.nodes()).forEach(n -> lastSeen.put(n.getId(), now));
        loop = Thread.ofVirtual().name("dispatcher-liveness").start(this::livenessLoop);
        hub = Thread.ofVirtual().name("dispatcher-changes").start(this::changeHub);
    }

    /** Stops the loop and ends every session, so workers reconnect to the new leader. */
    public synchronized void stop() {
        running = false;
        if (loop != null) {
            loop.interrupt();
            loop = null;
        }
        if (hub != null) {
            hub.interrupt();
            hub = null;
        }
        for (Session s : sessions.values()) {
            try {
                s.stream.onError(Status.UNAVAILABLE.withDescription("this manager is no longer the leader").asRuntimeException());
            } catch (RuntimeException ignored) {
                // the stream may be gone already
            }
        }
        sessions.clear();
        lastSeen.clear();
    }

    @Override
    public void session(SessionRequest req, StreamObserver<SessionMessage> observer) {
        ServerCallStreamObserver<SessionMessage> stream = (ServerCallStreamObserver<SessionMessage>) observer;
        Caller caller = Caller.current();
        if (caller.kind() != Caller.Kind.NODE) {
            observer.onError(Status.UNAUTHENTICATED.withDescription("sessions need a node certificate").asRuntimeException());
            return;
        }
        if (!running) {
            observer.onError(Status.UNAVAILABLE.withDescription("this manager is not the leader").asRuntimeException());
            return;
        }
        String nodeId = caller.nodeId();
        try {
            markReady(nodeId, req);
        } catch (RuntimeException e) {
            observer.onError(Calls.toStatus(e).asRuntimeException());
            return;
        }
        Session s = new Session(Ids.newId(), nodeId, stream);
        lastSeen.put(nodeId, clock.getAsLong());
        // one session per node: a reconnecting worker replaces its old session
        sessions.values().removeIf(old -> {
            if (old.nodeId.equals(nodeId)) {
                safeClose(old, Status.ABORTED.withDescription("replaced by a newer session"));
                return true;
            }
            return false;
        });
        sessions.put(s.id, s);
        stream.setOnCancelHandler(() -> sessions.remove(s.id));
        send(s);
        Thread.ofVirtual().name("session-" + nodeId).start(() -> follow(s));
    }

    private void markReady(String nodeId, SessionRequest req) {
        writer.update(tx -> {
            Node n = tx.node(nodeId).orElseThrow(() -> Status.PERMISSION_DENIED
                    .withDescription("node " + nodeId + " is not part of the cluster (removed, or not yet recorded)").asRuntimeException());
            Node.Builder b = n.toBuilder();
            if (req.hasDescription()) {
                b.setDescription(req.getDescription());
            }
            if (!req.getAdvertiseAddr().isEmpty()) {
                b.setAdvertiseAddr(req.getAdvertiseAddr());
            }
            b.setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)
                    .setAddr(NodeCaService.hostOf(b.getAdvertiseAddr())));
            Node next = b.build();
            return next.equals(n) ? List.of() : List.of(Batches.update(StoreObjects.wrap(next)));
        });
    }

    /**
     * One watch for all streams: each store change wakes only the streams it concerns (the nodes a
     * task left or joined; a node's own session; every session when the set of managers changes),
     * so the leader's work per change does not grow with the number of workers.
     */
    private void changeHub() {
        try (Watch w = store.watch()) {
            while (running) {
                StoreEvent e = w.poll(1, TimeUnit.SECONDS);
                if (e == null) {
                    continue;
                }
                if (e.type() == StoreEvent.Type.RESET) {
                    wakeAll(sessionWaiters);
                    wakeAll(taskWaiters);
                    continue;
                }
                var obj = e.after() != null ? e.after() : e.before();
                if (obj == null) {
                    continue;
                }
                switch (StoreObjects.kind(obj)) {
                    case TASK -> {
                        boolean networked = (e.before() != null && e.before().getTask().getNetworksCount() > 0)
                                || (e.after() != null && e.after().getTask().getNetworksCount() > 0);
                        if (networked) {
                            wakeAll(taskWaiters); // its endpoint is a peer of the other nodes on its networks
                            continue;
                        }
                        if (e.before() != null) {
                            wake(taskWaiters, e.before().getTask().getNodeId());
                        }
                        if (e.after() != null) {
                            wake(taskWaiters, e.after().getTask().getNodeId());
                        }
                    }
                    case NODE -> {
                        Node n = obj.getNode();
                        Node before = e.before() == null ? null : e.before().getNode();
                        boolean managers = (before != null && before.getRole() == NodeRole.NODE_ROLE_MANAGER)
                                || (e.after() != null && e.after().getNode().getRole() == NodeRole.NODE_ROLE_MANAGER);
                        boolean managerSetChanged = managers && (before == null || e.after() == null
                                || before.getRole() != n.getRole() || !before.getAdvertiseAddr().equals(n.getAdvertiseAddr()));
                        if (managerSetChanged) {
                            wakeAll(sessionWaiters);
                        } else {
                            wake(sessionWaiters, n.getId());
                        }
                        // a node's ingress address is a peer of every node in the routing mesh
                        if (before == null || e.after() == null ? n.getAttachmentsCount() > 0
                                : !before.getAttachmentsList().equals(n.getAttachmentsList())
                                        || (n.getAttachmentsCount() > 0 && !before.getStatus().getAddr().equals(n.getStatus().getAddr()))) {
                            wakeAll(taskWaiters);
                        }
                    }
                    case SERVICE -> {
                        // VIPs and service names are in the networked nodes' name records
                        // and published ports are in every node's routing mesh
                        boolean networked = (e.before() != null && (e.before().getService().getEndpoint().getVirtualIpsCount() > 0
                                        || e.before().getService().getEndpoint().getPortsCount() > 0))
                                || (e.after() != null && (e.after().getService().getEndpoint().getVirtualIpsCount() > 0
                                        || e.after().getService().getEndpoint().getPortsCount() > 0));
                        if (networked) {
                            wakeAll(taskWaiters);
                        }
                    }
                    default -> { }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("dispatcher change hub failed: {}", e.toString());
        }
    }

    private static void wake(Map<String, java.util.Set<java.util.concurrent.Semaphore>> waiters, String nodeId) {
        var set = waiters.get(nodeId);
        if (set != null) {
            set.forEach(java.util.concurrent.Semaphore::release);
        }
    }

    private static void wakeAll(Map<String, java.util.Set<java.util.concurrent.Semaphore>> waiters) {
        waiters.values().forEach(set -> set.forEach(java.util.concurrent.Semaphore::release));
    }

    private static java.util.concurrent.Semaphore register(Map<String, java.util.Set<java.util.concurrent.Semaphore>> waiters, String nodeId) {
        java.util.concurrent.Semaphore sem = new java.util.concurrent.Semaphore(0);
        waiters.computeIfAbsent(nodeId, k -> ConcurrentHashMap.newKeySet()).add(sem);
        return sem;
    }

    private static void unregister(Map<String, java.util.Set<java.util.concurrent.Semaphore>> waiters, String nodeId,
                                   java.util.concurrent.Semaphore sem) {
        waiters.computeIfPresent(nodeId, (k, set) -> {
            set.remove(sem);
            return set.isEmpty() ? null : set;
        });
    }

    /** Waits for a wake-up, then lets a burst of changes settle so that one message covers it. */
    private static boolean awaitChange(java.util.concurrent.Semaphore sem) throws InterruptedException {
        if (!sem.tryAcquire(1, TimeUnit.SECONDS)) {
            return false;
        }
        Thread.sleep(5);
        sem.drainPermits();
        return true;
    }

    /** Pushes a new session message whenever this node or the set of managers changes. */
    private void follow(Session s) {
        java.util.concurrent.Semaphore wake = register(sessionWaiters, s.nodeId);
        try {
            send(s); // covers a change between the first message and the registration
            while (sessions.containsKey(s.id) && !s.stream.isCancelled()) {
                if (awaitChange(wake)) {
                    send(s);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("session {} of {} ended: {}", s.id, s.nodeId, e.toString());
        } finally {
            unregister(sessionWaiters, s.nodeId, wake);
        }
    }

    private void send(Session s) {
        SessionMessage.Builder m = SessionMessage.newBuilder()
                .setSessionId(s.id)
                .setHeartbeatPeriodMs(period.toMillis());
        store.view(tx -> {
            tx.node(s.nodeId).ifPresent(m::setNode);
            for (Node n : tx.nodes()) {
                if (n.getRole() == NodeRole.NODE_ROLE_MANAGER) {
                    m.addManagers(WeightedPeer.newBuilder().setNodeId(n.getId()).setAddr(n.getAdvertiseAddr()));
                }
            }
            return null;
        });
        synchronized (s.stream) {
            if (!s.stream.isCancelled()) {
                s.stream.onNext(m.build());
            }
        }
    }

    private static void safeClose(Session s, Status status) {
        try {
            synchronized (s.stream) {
                s.stream.onError(status.asRuntimeException());
            }
        } catch (RuntimeException ignored) {
            // already closed
        }
    }

    /** The task set of the session's node, now and after every change to it. */
    @Override
    public void assignments(io.shoal.api.AssignmentsRequest req, StreamObserver<io.shoal.api.AssignmentsMessage> observer) {
        Session s = sessions.get(req.getSessionId());
        if (s == null || !running) {
            observer.onError(Status.NOT_FOUND.withDescription("unknown session; open a new one").asRuntimeException());
            return;
        }
        ServerCallStreamObserver<io.shoal.api.AssignmentsMessage> stream = (ServerCallStreamObserver<io.shoal.api.AssignmentsMessage>) observer;
        Thread.ofVirtual().name("assignments-" + s.nodeId).start(() -> {
            java.util.concurrent.Semaphore wake = register(taskWaiters, s.nodeId);
            long seq = 0;
            try {
                java.util.Map<String, io.shoal.api.Task> last = null;
                Assignments.Plane lastPlane = null;
                while (sessions.containsKey(s.id) && !stream.isCancelled()) {
                    record View(java.util.List<io.shoal.api.Task> tasks, Assignments.Plane plane) {}
                    View now = store.view(tx -> {
                        java.util.List<io.shoal.api.Task> tasks = tx.tasksOnNode(s.nodeId);
                        return new View(tasks, Assignments.plane(tx, s.nodeId, tasks));
                    });
                    var msg = Assignments.next(last, now.tasks());
                    if (msg == null && !now.plane().equals(lastPlane)) {
                        msg = io.shoal.api.AssignmentsMessage.newBuilder();
                    }
                    if (msg != null) {
                        stream.onNext(now.plane().into(msg).setSequence(++seq).build());
                    }
                    last = Assignments.byId(now.tasks());
                    lastPlane = now.plane();
                    awaitChange(wake);
                }
                if (!stream.isCancelled()) {
                    stream.onError(Status.UNAVAILABLE.withDescription("session ended").asRuntimeException());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("assignments of {} ended: {}", s.nodeId, e.toString());
            } finally {
                unregister(taskWaiters, s.nodeId, wake);
            }
        });
    }

    /**
     * Observed states from the worker that runs the tasks: written in one batch, only for tasks on
     * the caller's node, and only forward (a late or repeated report never moves a task back).
     */
    @Override
    public void updateTaskStatus(io.shoal.api.UpdateTaskStatusRequest req, StreamObserver<io.shoal.api.UpdateTaskStatusResponse> obs) {
        Calls.unary(obs, () -> {
            Session s = sessions.get(req.getSessionId());
            if (s == null || !running) {
                throw Status.NOT_FOUND.withDescription("unknown session; open a new one").asRuntimeException();
            }
            writer.update(tx -> {
                java.util.List<io.shoal.api.raft.StoreAction> out = new java.util.ArrayList<>();
                for (io.shoal.api.TaskStatusUpdate u : req.getUpdatesList()) {
                    tx.task(u.getTaskId())
                            .filter(t -> t.getNodeId().equals(s.nodeId))
                            .filter(t -> u.getStatus().getState().getNumber() > t.getStatus().getState().getNumber()
                                    || (u.getStatus().getState() == t.getStatus().getState() && !u.getStatus().equals(t.getStatus())
                                        && u.getStatus().getTimestampMs() >= t.getStatus().getTimestampMs()))
                            .ifPresent(t -> out.add(Batches.update(StoreObjects.wrap(t.toBuilder().setStatus(u.getStatus()).build()))));
                }
                return out;
            });
            return io.shoal.api.UpdateTaskStatusResponse.getDefaultInstance();
        });
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
        Calls.unary(obs, () -> {
            Session s = sessions.get(req.getSessionId());
            if (s == null || !running) {
                throw Status.NOT_FOUND.withDescription("unknown session; open a new one").asRuntimeException();
            }
            lastSeen.put(s.nodeId, clock.getAsLong());
            return HeartbeatResponse.newBuilder().setPeriodMs(period.toMillis()).build();
        });
    }

    private void livenessLoop() {
        while (running) {
            try {
                Thread.sleep(Math.max(50, period.toMillis() / 2));
                checkLiveness();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("liveness check failed: {}", e.getMessage());
            }
        }
    }

    /**
     * Marks Down every Ready node not heard from within downAfter, and Ready again every node
     * that is not but heartbeats on an open session (e.g. it was marked Down during a pause longer
     * than downAfter and kept its session). Visible for tests.
     */
    void checkLiveness() {
        long now = clock.getAsLong();
        java.util.Set<String> live = new java.util.HashSet<>();
        for (Session s : sessions.values()) {
            if (now - lastSeen.getOrDefault(s.nodeId, 0L) <= downAfter.toMillis()) {
                live.add(s.nodeId);
            }
        }
        List<String> revived = store.view(tx -> tx.nodes()).stream()
                .filter(n -> n.getStatus().getState() != NodeStatus.State.READY && live.contains(n.getId()))
                .map(Node::getId)
                .toList();
        if (!revived.isEmpty()) {
            writer.update(tx -> revived.stream()
                    .flatMap(id -> tx.node(id).stream())
                    .filter(n -> n.getStatus().getState() != NodeStatus.State.READY)
                    .map(n -> Batches.update(StoreObjects.wrap(n.toBuilder()
                            .setStatus(n.getStatus().toBuilder().setState(NodeStatus.State.READY).setMessage(""))
                            .build())))
                    .toList());
            LOG.info("nodes ready again (heartbeating on an open session): {}", revived);
        }
        List<String> expired = store.view(tx -> tx.nodes()).stream()
                .filter(n -> n.getStatus().getState() == NodeStatus.State.READY)
                .filter(n -> now - lastSeen.getOrDefault(n.getId(), now) > downAfter.toMillis())
                .map(Node::getId)
                .toList();
        if (expired.isEmpty()) {
            return;
        }
        for (String id : expired) {
            sessions.values().removeIf(s -> {
                if (s.nodeId.equals(id)) {
                    safeClose(s, Status.UNAVAILABLE.withDescription("heartbeat timeout"));
                    return true;
                }
                return false;
            });
        }
        writer.update(tx -> expired.stream()
                .flatMap(id -> tx.node(id).stream())
                .filter(n -> n.getStatus().getState() == NodeStatus.State.READY)
                .map(n -> Batches.update(StoreObjects.wrap(n.toBuilder()
                        .setStatus(n.getStatus().toBuilder().setState(NodeStatus.State.DOWN).setMessage("heartbeat failure")
                                .setSinceMs(clock.getAsLong()))
                        .build())))
                .toList());
        LOG.info("nodes down (no heartbeat for {} ms): {}", downAfter.toMillis(), expired);
    }
}
