package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.AssignmentsRequest;
import io.shoal.api.DispatcherGrpc;
import io.shoal.api.HeartbeatRequest;
import io.shoal.api.HeartbeatResponse;
import io.shoal.api.LivenessReport;
import io.shoal.api.LivenessResponse;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.Task;
import io.shoal.api.UpdateTaskStatusRequest;
import io.shoal.api.UpdateTaskStatusResponse;
import io.shoal.api.WeightedPeer;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.Ids;
import io.shoal.manager.membership.NodeCaService;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.manager.store.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The workers' end of the cluster, run by every manager: a worker keeps its session with any
 * manager (they spread over the managers), gets its assignments from that manager's own replicated
 * store, and its status reports go from there into the Raft log, coalesced with every other
 * session's into few entries ({@link StatusBatcher}).
 *
 * <p>Liveness: each worker heartbeats every period to the manager that serves it; a status report
 * counts as a heartbeat, so a worker that reported within the period skips its beat. Heartbeats only
 * touch two concurrent maps (no store lock, no Raft write), so they stay cheap under any load. A
 * follower reports the ids of the nodes it heard from to the leader once per period
 * ({@link LeaderLink#reportLiveness}); the leader keeps the last time it heard of each node in
 * memory and writes to the store only when a node's state changes (Ready or Down). A node is Down
 * when it has not been heard of for {@code downAfter} (plus one period when it was last heard of
 * through a report, which comes up to a period after the heartbeat); a new leader gives every node
 * a full {@code downAfter} before judging it, and time the leader itself did not run (a long pause)
 * does not count against the nodes. The heartbeat period comes from the cluster object
 * ({@code shoal init --dispatcher-heartbeat}) and down-after is {@link ClusterSettings#PERIODS_TO_DOWN}
 * periods; the constructor's values apply while the store has no cluster object.
 */
public final class Dispatcher extends DispatcherGrpc.DispatcherImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    /** How a follower's dispatcher reaches the leader. */
    public interface LeaderLink {
        /** Tells the leader these nodes heartbeated here; throws when the leader cannot be reached. */
        void reportLiveness(Collection<String> nodeIds);

        /** Waits until this manager's store has what the leader committed (a read barrier). */
        void catchUp();

        LeaderLink NONE = new LeaderLink() {
            @Override
            public void reportLiveness(Collection<String> nodeIds) { }

            @Override
            public void catchUp() { }
        };
    }

    private final ClusterStore store;
    private final StoreWriter writer;
    private final LongSupplier clock;
    private final LeaderLink leader;
    private final Duration defaultPeriod;
    private final Duration defaultDownAfter;
    private volatile long periodMs;
    private volatile long downAfterMs;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** leader: when each node was last heard of, or given the benefit of the doubt (a new leader, a node turned Ready) */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    /** when each node was last actually heard (a heartbeat or a session here, or a follower's report) */
    private final Map<String, Long> heard = new ConcurrentHashMap<>();
    /** leader: nodes last heard of through a follower's report (which comes up to a period after the heartbeat) */
    private final Set<String> remote = ConcurrentHashMap.newKeySet();
    /** follower: nodes heard since the last report to the leader */
    private final Set<String> toReport = ConcurrentHashMap.newKeySet();
    private final LongAdder heartbeats = new LongAdder();
    private volatile boolean serving;
    private volatile boolean leading;
    private Thread loop;
    private Thread hub;
    private StatusBatcher statuses;
    /** the session streams of each node (node or manager changes) */
    private final Wakeups sessionWakeups = new Wakeups();
    /** the assignment streams of each node (changes to its tasks) */
    private final Wakeups taskWakeups = new Wakeups();

    private record Session(String id, String nodeId, ServerCallStreamObserver<SessionMessage> stream) {}

    private static final Status UNKNOWN_SESSION = Status.NOT_FOUND.withDescription("unknown session; open a new one");

    /** A dispatcher with no leader to report to (a single manager, or tests). */
    public Dispatcher(ClusterStore store, StoreWriter writer, Duration period, Duration downAfter, LongSupplier clock) {
        this(store, writer, period, downAfter, clock, LeaderLink.NONE);
    }

    /**
     * @param period    heartbeat period while the cluster object sets none
     * @param downAfter silence after which a node is Down, while the cluster object sets no period
     */
    public Dispatcher(ClusterStore store, StoreWriter writer, Duration period, Duration downAfter, LongSupplier clock,
                      LeaderLink leader) {
        this.store = store;
        this.writer = writer;
        this.defaultPeriod = period;
        this.defaultDownAfter = downAfter;
        this.clock = clock;
        this.leader = leader;
        this.periodMs = period.toMillis();
        this.downAfterMs = downAfter.toMillis();
    }

    /** The managers every session message lists, kept as the store changes (not scanned per message). */
    private volatile List<WeightedPeer> managers = List.of();

    private void refreshManagers() {
        managers = store.view(tx -> tx.nodes().stream().filter(n -> n.getRole() == NodeRole.NODE_ROLE_MANAGER)
                .map(n -> WeightedPeer.newBuilder().setNodeId(n.getId()).setAddr(n.getAdvertiseAddr()).build()).toList());
    }

    /** While a shorter down-after takes over, the longer one (of workers still on the longer period) and until when. */
    private volatile long previousDownAfterMs;
    private volatile long previousUntilMs;

    /**
     * The period and down-after from the cluster object (or the constructor's defaults), the
     * period stretched to keep the fleet within {@link ClusterSettings#MAX_HEARTBEATS_PER_SECOND}.
     * When down-after shrinks (nodes left), the longer one still holds for two of the old periods:
     * workers learn the new period only with their next heartbeat answer.
     */
    private synchronized void refreshSettings() {
        var spec = store.view(tx -> tx.cluster()).map(c -> c.getSpec()).orElse(null);
        long base;
        long downAfter;
        if (spec == null || spec.getHeartbeatPeriodMs() <= 0) {
            base = defaultPeriod.toMillis();
            downAfter = defaultDownAfter.toMillis();
        } else {
            base = ClusterSettings.heartbeatPeriodMs(spec);
            downAfter = ClusterSettings.downAfterMs(spec);
        }
        long period = ClusterSettings.scaledPeriodMs(base, store.count(ObjectKind.NODE));
        if (period > base) {
            downAfter = Math.max(downAfter, period * ClusterSettings.PERIODS_TO_DOWN);
        }
        long oldDownAfter = downAfterMs;
        long oldPeriod = periodMs;
        if (downAfter < oldDownAfter) {
            previousDownAfterMs = oldDownAfter;
            previousUntilMs = clock.getAsLong() + 2 * oldPeriod;
        }
        periodMs = period;
        downAfterMs = downAfter;
    }

    /** Down-after in force now (see {@link #refreshSettings}). Visible for tests. */
    long downAfterMs() {
        return clock.getAsLong() < previousUntilMs ? Math.max(downAfterMs, previousDownAfterMs) : downAfterMs;
    }

    /** The heartbeat period workers are told now. Visible for tests. */
    long periodMs() {
        return periodMs;
    }

    /** Starts serving sessions (every manager does, from its start). */
    public synchronized void serve() {
        if (serving) {
            return;
        }
        refreshSettings();
        refreshManagers();
        serving = true;
        statuses = new StatusBatcher(writer, statusEntries);
        loop = Thread.ofVirtual().name("dispatcher-liveness").start(this::livenessLoop);
        hub = Thread.ofVirtual().name("dispatcher-changes").start(this::changeHub);
    }

    /** Takes on the leader's part: judging liveness. Serves sessions too, if it did not yet. */
    public synchronized void run() {
        serve();
        if (leading) {
            return;
        }
        long now = clock.getAsLong();
        store.view(tx -> tx.nodes()).forEach(n -> lastSeen.put(n.getId(), now));
        leading = true;
    }

    /** Gives up the leader's part; sessions stay open (a follower serves them). */
    public synchronized void stop() {
        leading = false;
        lastSeen.clear();
        remote.clear();
    }

    /** Stops everything and ends every session (the manager role ends). */
    public synchronized void shutdown() {
        stop();
        serving = false;
        if (loop != null) {
            loop.interrupt();
            loop = null;
        }
        if (hub != null) {
            hub.interrupt();
            hub = null;
        }
        if (statuses != null) {
            statuses.close();
            statuses = null;
        }
        for (Session s : sessions.values()) {
            safeClose(s, Status.UNAVAILABLE.withDescription("this manager stopped"));
        }
        sessions.clear();
        heard.clear();
    }

    /** Open worker sessions on this manager (a metric). */
    public int sessionCount() {
        return sessions.size();
    }

    /** Heartbeats received by this manager since it started (a metric). */
    public long heartbeatCount() {
        return heartbeats.sum();
    }

    /** Task states workers reported to this manager, and the Raft entries they were written in (metrics). */
    public long statusReports() {
        return statusReports.sum();
    }

    public long statusEntries() {
        return statusEntries.sum();
    }

    private final LongAdder statusReports = new LongAdder();
    private final LongAdder statusEntries = new LongAdder();

    /** Leader: these nodes heartbeated to a follower (or here). */
    public void heardFrom(Collection<String> nodeIds) {
        long now = clock.getAsLong();
        for (String id : nodeIds) {
            lastSeen.put(id, now);
            heard.put(id, now);
            remote.add(id);
        }
    }

    private void heard(String nodeId) {
        long now = clock.getAsLong();
        heard.put(nodeId, now);
        if (leading) {
            lastSeen.put(nodeId, now);
            remote.remove(nodeId);
        } else {
            toReport.add(nodeId);
        }
    }

    @Override
    public void reportLiveness(LivenessReport req, StreamObserver<LivenessResponse> obs) {
        Calls.unary(obs, () -> {
            if (!Caller.current().isManager()) {
                throw Status.PERMISSION_DENIED.withDescription("only managers report liveness").asRuntimeException();
            }
            heardFrom(req.getNodeIdsList());
            return LivenessResponse.getDefaultInstance();
        });
    }

    @Override
    public void session(SessionRequest req, StreamObserver<SessionMessage> observer) {
        ServerCallStreamObserver<SessionMessage> stream = (ServerCallStreamObserver<SessionMessage>) observer;
        Caller caller = Caller.current();
        if (caller.kind() != Caller.Kind.NODE) {
            observer.onError(Status.UNAUTHENTICATED.withDescription("sessions need a node certificate").asRuntimeException());
            return;
        }
        if (!serving) {
            observer.onError(Status.UNAVAILABLE.withDescription("this manager is not serving sessions yet").asRuntimeException());
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
        heard(nodeId);
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
        if (!leading && store.view(tx -> tx.node(nodeId)).isEmpty()) {
            leader.catchUp(); // the node may be recorded by an entry this follower has not applied yet
        }
        StatusBatcher batcher = statuses;
        if (batcher == null) {
            throw Status.UNAVAILABLE.withDescription("this manager stopped serving sessions").asRuntimeException();
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

    /**
     * One watch for all streams: each store change wakes only the streams it concerns (the nodes a
     * task left or joined; a node's own session; every session when the set of managers changes),
     * so the leader's work per change does not grow with the number of workers.
     */
    private void changeHub() {
        try (Watch w = store.watch()) {
            while (serving) {
                StoreEvent e = w.poll(1, TimeUnit.SECONDS);
                if (e == null) {
                    continue;
                }
                if (e.type() == StoreEvent.Type.RESET) {
                    refreshSettings();
                    refreshManagers();
                    sessionWakeups.wakeAll();
                    taskWakeups.wakeAll();
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
                            taskWakeups.wakeAll(); // its endpoint is a peer of the other nodes on its networks
                            continue;
                        }
                        if (Assignments.reportedByWorker(e)) {
                            continue; // nothing to send: the worker reported it
                        }
                        if (e.before() != null) {
                            taskWakeups.wake(e.before().getTask().getNodeId());
                        }
                        if (e.after() != null) {
                            taskWakeups.wake(e.after().getTask().getNodeId());
                        }
                    }
                    case NODE -> {
                        Node n = obj.getNode();
                        Node before = e.before() == null ? null : e.before().getNode();
                        if (e.after() != null && n.getStatus().getState() == NodeStatus.State.READY
                                && (before == null || before.getStatus().getState() != NodeStatus.State.READY) && leading) {
                            // just turned Ready (a session opened, maybe on a follower): a full down-after from now
                            lastSeen.put(n.getId(), clock.getAsLong());
                        }
                        if (before == null || e.after() == null) { // a node joined or left: the fleet's size sets the period
                            long was = periodMs;
                            refreshSettings();
                            if (was != periodMs) {
                                sessionWakeups.wakeAll();
                            }
                        }
                        boolean managers = (before != null && before.getRole() == NodeRole.NODE_ROLE_MANAGER)
                                || (e.after() != null && e.after().getNode().getRole() == NodeRole.NODE_ROLE_MANAGER);
                        boolean managerSetChanged = managers && (before == null || e.after() == null
                                || before.getRole() != n.getRole() || !before.getAdvertiseAddr().equals(n.getAdvertiseAddr()));
                        if (managerSetChanged) {
                            refreshManagers();
                            sessionWakeups.wakeAll();
                        } else {
                            sessionWakeups.wake(n.getId());
                        }
                        // a node's ingress address is a peer of every node in the routing mesh
                        if (before == null || e.after() == null ? n.getAttachmentsCount() > 0
                                : !before.getAttachmentsList().equals(n.getAttachmentsList())
                                        || (n.getAttachmentsCount() > 0 && !before.getStatus().getAddr().equals(n.getStatus().getAddr()))) {
                            taskWakeups.wakeAll();
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
                            taskWakeups.wakeAll();
                        }
                    }
                    case CLUSTER -> {
                        long before = periodMs;
                        refreshSettings();
                        if (before != periodMs) {
                            sessionWakeups.wakeAll(); // workers learn the new heartbeat period
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

    /** Pushes a new session message whenever this node or the set of managers changes. */
    private void follow(Session s) {
        Semaphore wake = sessionWakeups.register(s.nodeId);
        try {
            send(s); // covers a change between the first message and the registration
            while (sessions.containsKey(s.id) && !s.stream.isCancelled()) {
                if (Wakeups.await(wake)) {
                    send(s);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("session {} of {} ended: {}", s.id, s.nodeId, e.toString());
        } finally {
            sessionWakeups.unregister(s.nodeId, wake);
        }
    }

    private void send(Session s) {
        SessionMessage.Builder m = SessionMessage.newBuilder()
                .setSessionId(s.id)
                .setHeartbeatPeriodMs(periodMs);
        store.view(tx -> tx.node(s.nodeId)).ifPresent(m::setNode);
        m.addAllManagers(managers);
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

    /** What every node's data plane is cut from, at the newest index a stream asked for (one per change, not one per node). */
    private volatile Assignments.Shared shared;
    private final Object sharedLock = new Object();

    private Assignments.Shared shared(ReadTx tx) {
        Assignments.Shared s = shared;
        if (s != null && s.index == tx.index()) {
            return s;
        }
        synchronized (sharedLock) {
            s = shared;
            if (s == null || s.index != tx.index()) {
                s = Assignments.Shared.of(tx);
                if (shared == null || shared.index < s.index) {
                    shared = s;
                }
            }
            return s;
        }
    }

    /** The task set of the session's node, now and after every change to it. */
    @Override
    public void assignments(AssignmentsRequest req, StreamObserver<AssignmentsMessage> observer) {
        Session s = session(req.getSessionId(), null);
        if (s == null) {
            observer.onError(UNKNOWN_SESSION.asRuntimeException());
            return;
        }
        ServerCallStreamObserver<AssignmentsMessage> stream = (ServerCallStreamObserver<AssignmentsMessage>) observer;
        Thread.ofVirtual().name("assignments-" + s.nodeId).start(() -> {
            Semaphore wake = taskWakeups.register(s.nodeId);
            long seq = 0;
            try {
                Map<String, Task> last = null;
                Assignments.Plane lastPlane = null;
                while (sessions.containsKey(s.id) && !stream.isCancelled()) {
                    record View(List<Task> tasks, Assignments.Plane plane) {}
                    View now = store.view(tx -> {
                        List<Task> tasks = tx.tasksOnNode(s.nodeId);
                        return new View(tasks, Assignments.plane(tx, s.nodeId, tasks, shared(tx)));
                    });
                    var msg = Assignments.next(last, now.tasks());
                    if (msg == null && !now.plane().equals(lastPlane)) {
                        msg = AssignmentsMessage.newBuilder();
                    }
                    if (msg != null) {
                        stream.onNext(now.plane().into(msg).setSequence(++seq).build());
                    }
                    last = Assignments.byId(now.tasks());
                    lastPlane = now.plane();
                    Wakeups.await(wake);
                }
                if (!stream.isCancelled()) {
                    stream.onError(Status.UNAVAILABLE.withDescription("session ended").asRuntimeException());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.debug("assignments of {} ended: {}", s.nodeId, e.toString());
            } finally {
                taskWakeups.unregister(s.nodeId, wake);
            }
        });
    }

    /** The session a worker's message names, while this manager serves it; on a stream, only the caller's own. */
    private Session session(String sessionId, Caller caller) {
        Session s = sessions.get(sessionId);
        return s == null || !serving || (caller != null && !s.nodeId.equals(caller.nodeId())) ? null : s;
    }

    /** A report queued for the log; completes once its entry is committed. A report is as good as a heartbeat. */
    private CompletableFuture<?> report(Session s, StatusBatcher batcher, UpdateTaskStatusRequest req) {
        statusReports.add(req.getUpdatesCount());
        heard(s.nodeId); // a busy worker skips its beats
        return batcher.submit(s.nodeId, req.getUpdatesList());
    }

    private static Status failure(Throwable err) {
        return Calls.toStatus(err instanceof CompletionException c && c.getCause() != null ? c.getCause() : err);
    }

    /**
     * Observed states from the worker that runs the tasks: queued with every other session's and
     * written in few entries, only for tasks on the caller's node, and only forward (a late or
     * repeated report never moves a task back). Answers once they are committed.
     */
    @Override
    public void updateTaskStatus(UpdateTaskStatusRequest req, StreamObserver<UpdateTaskStatusResponse> obs) {
        Session s = session(req.getSessionId(), null);
        StatusBatcher batcher = statuses;
        if (s == null || batcher == null) {
            obs.onError(UNKNOWN_SESSION.asRuntimeException());
            return;
        }
        report(s, batcher, req).whenComplete((ok, err) -> {
            if (err != null) {
                obs.onError(failure(err).asRuntimeException());
            } else {
                obs.onNext(UpdateTaskStatusResponse.getDefaultInstance());
                obs.onCompleted();
            }
        });
    }

    /**
     * {@link #updateTaskStatus} as messages on one stream per session (what the agent uses): each
     * report is answered with its sequence number once committed, as a call would be, without a
     * call's set-up and headers. A report of an unknown session, or of another node's, ends the
     * stream; so does a report that cannot be written (the worker reports again on a new stream).
     */
    @Override
    public StreamObserver<UpdateTaskStatusRequest> statusReports(StreamObserver<UpdateTaskStatusResponse> out) {
        Caller caller = Caller.current();
        return new ReplyStream<>(out) {
            @Override
            void handle(UpdateTaskStatusRequest req) {
                Session s = session(req.getSessionId(), caller);
                StatusBatcher batcher = statuses;
                if (s == null || batcher == null) {
                    end(UNKNOWN_SESSION);
                    return;
                }
                report(s, batcher, req).whenComplete((ok, err) -> {
                    if (err != null) {
                        end(failure(err));
                    } else {
                        reply(UpdateTaskStatusResponse.newBuilder().setSequence(req.getSequence()).build());
                    }
                });
            }
        };
    }

    /** A heartbeat of session {@code s}: noted, and answered with the period. */
    private HeartbeatResponse beat(Session s) {
        heartbeats.increment();
        heard(s.nodeId);
        return HeartbeatResponse.newBuilder().setPeriodMs(periodMs).build();
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
        Calls.unary(obs, () -> {
            Session s = session(req.getSessionId(), null);
            if (s == null) {
                throw UNKNOWN_SESSION.asRuntimeException();
            }
            return beat(s);
        });
    }

    @Override
    public StreamObserver<HeartbeatRequest> heartbeats(StreamObserver<HeartbeatResponse> out) {
        Caller caller = Caller.current();
        return new ReplyStream<>(out) {
            @Override
            void handle(HeartbeatRequest req) {
                Session s = session(req.getSessionId(), caller);
                if (s == null) {
                    end(UNKNOWN_SESSION);
                } else {
                    reply(beat(s));
                }
            }
        };
    }

    private void livenessLoop() {
        long lastReport = 0;
        long lastCheck = System.nanoTime();
        while (serving) {
            try {
                long interval = Math.max(50, periodMs / 2);
                Thread.sleep(interval);
                long now = clock.getAsLong();
                long stalled = (System.nanoTime() - lastCheck) / 1_000_000 - 2 * interval; // real time, not the clock
                lastCheck = System.nanoTime();
                if (leading && stalled > 0) {
                    // this manager did not run for a while (a long GC pause, a starved CPU): what it
                    // heard meanwhile is still queued, so the silence is not the nodes'
                    lastSeen.replaceAll((id, t) -> t + stalled);
                }
                if (leading) {
                    checkLiveness();
                } else {
                    if (now - lastReport >= periodMs) {
                        lastReport = now;
                        report();
                    }
                    closeSilentSessions();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("liveness check failed: {}", e.getMessage());
            }
        }
    }

    /** Follower: one call to the leader naming every node heard since the last one. */
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

    /** Follower: ends the sessions of workers not heard for down-after (the leader judges the node itself). */
    private void closeSilentSessions() {
        long now = clock.getAsLong();
        sessions.values().removeIf(s -> {
            if (now - heard.getOrDefault(s.nodeId, now) > downAfterMs()) {
                safeClose(s, Status.UNAVAILABLE.withDescription("heartbeat timeout"));
                return true;
            }
            return false;
        });
    }

    /**
     * Marks Down every Ready node not heard of within downAfter, and Ready again every node that
     * is not but heartbeats on an open session, here or on a follower (e.g. it was marked Down
     * during a pause longer than downAfter and kept its session). Visible for tests.
     */
    void checkLiveness() {
        long now = clock.getAsLong();
        long downAfter = downAfterMs();
        List<Node> nodes = store.view(tx -> tx.nodes());
        List<String> revived = nodes.stream()
                .filter(n -> n.getStatus().getState() != NodeStatus.State.READY)
                .filter(n -> now - heard.getOrDefault(n.getId(), Long.MIN_VALUE / 2) <= downAfter)
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
        long period = periodMs;
        List<String> expired = nodes.stream()
                .filter(n -> n.getStatus().getState() == NodeStatus.State.READY)
                .filter(n -> now - lastSeen.getOrDefault(n.getId(), now) > downAfter + (remote.contains(n.getId()) ? period : 0))
                .map(Node::getId)
                .toList();
        if (expired.isEmpty()) {
            return;
        }
        Set<String> gone = Set.copyOf(expired);
        sessions.values().removeIf(s -> {
            if (gone.contains(s.nodeId)) {
                safeClose(s, Status.UNAVAILABLE.withDescription("heartbeat timeout"));
                return true;
            }
            return false;
        });
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
