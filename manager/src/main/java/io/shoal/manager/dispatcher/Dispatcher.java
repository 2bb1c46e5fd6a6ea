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
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.UpdateTaskStatusRequest;
import io.shoal.api.UpdateTaskStatusResponse;
import io.shoal.manager.rpc.Caller;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Bursts;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreWriter;
import io.shoal.manager.store.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The workers' end of the cluster, run by every manager, as a thin gRPC adapter over its parts: a
 * worker keeps its session ({@link Sessions}) with any manager (they spread over the managers),
 * gets its assignments from that manager's own replicated store ({@link AssignmentStreams}, woken
 * by {@link ChangeRouter}), and its status reports go from there into the Raft log, coalesced with
 * every other session's into few entries ({@link StatusBatcher}).
 *
 * <p>Liveness: each worker heartbeats every period to the manager that serves it; a status report
 * counts as a heartbeat, so a worker that reported within the period skips its beat. A heartbeat
 * is noted in memory ({@link Heard}) and handed to this manager's {@link Liveness}: the leader's
 * judges the nodes, a follower's reports them to the leader once a period. The period and
 * down-after are a {@link HeartbeatPolicy} of the cluster object and the fleet's size; the
 * constructor's values apply while the store has no cluster object.
 */
public final class Dispatcher extends DispatcherGrpc.DispatcherImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final Status UNKNOWN_SESSION = Status.NOT_FOUND.withDescription("unknown session; open a new one");
    /**
     * A burst of changes wakes its streams after this long without a change: a lone change reaches
     * its streams 2 ms after it was applied (each woken stream used to sleep 5 ms on its own to let
     * a burst settle: a timed wake-up of a virtual thread per message sent).
     */
    static final long BURST_QUIET_MS = 2;
    /** And at the latest this long after its first change, so that changes that never stop still reach the streams. */
    static final long BURST_MAX_MS = 10;

    private final ClusterStore store;
    private final StoreWriter writer;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final LeaderLink leader;
    private final HeartbeatSettings policy;
    private final Sessions sessions = new Sessions(this::sessionEnded);
    private final Heard heard = new Heard();
    private final SessionStreams sessionStreams;
    private final AssignmentStreams assignments;
    private final LongAdder heartbeats = new LongAdder();
    private final LongAdder statusReports = new LongAdder();
    private final LongAdder statusEntries = new LongAdder();
    /** This manager's liveness role while it serves sessions; null before {@link #serve} and after {@link #shutdown}. */
    private volatile Liveness liveness;
    private volatile StatusBatcher statuses;
    private Thread hub;

    /** How a follower's dispatcher reaches the leader. */
    public interface LeaderLink {
        /** Tells the leader these nodes heartbeated here; throws when the leader cannot be reached. */
        void reportLiveness(Collection<String> nodeIds);

        /** Waits until this manager's store has what the leader committed (a read barrier). */
        void catchUp();

        /** Whether this manager knows which manager leads (none during an election, or once it left the group). */
        default boolean leaderKnown() {
            return true;
        }

        LeaderLink NONE = new LeaderLink() {
            @Override
            public void reportLiveness(Collection<String> nodeIds) { }

            @Override
            public void catchUp() { }
        };
    }

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
        this(store, writer, period, downAfter, clock, leader, null);
    }

    /** @param scheduler where liveness ticks run; null for one of the dispatcher's own (shut down with it) */
    public Dispatcher(ClusterStore store, StoreWriter writer, Duration period, Duration downAfter, LongSupplier clock,
                      LeaderLink leader, ScheduledExecutorService scheduler) {
        this(store, writer, period, downAfter, clock, leader, scheduler, new SecretCipher(null));
    }

    /** @param cipher opens the secrets of a node's tasks for its assignments (one without a key opens none: tests) */
    public Dispatcher(ClusterStore store, StoreWriter writer, Duration period, Duration downAfter, LongSupplier clock,
                      LeaderLink leader, ScheduledExecutorService scheduler, SecretCipher cipher) {
        this.store = store;
        this.writer = writer;
        this.clock = clock;
        this.leader = leader;
        this.ownScheduler = scheduler == null;
        this.scheduler = scheduler != null ? scheduler
                : Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("dispatcher-liveness").factory());
        this.policy = new HeartbeatSettings(store, period, downAfter, clock);
        this.sessionStreams = new SessionStreams(store, sessions, policy);
        this.assignments = new AssignmentStreams(store, sessions, cipher);
    }

    // ---------------------------------------------------------------- roles

    /** Starts serving sessions (every manager does, from its start), as a follower until {@link #run}. */
    public synchronized void serve() {
        if (liveness != null) {
            return;
        }
        policy.refresh();
        sessionStreams.refreshManagers();
        statuses = new StatusBatcher(writer, statusEntries);
        liveness = new FollowerLiveness(leader, sessions, heard, policy, clock, scheduler);
        hub = Thread.ofVirtual().name("dispatcher-changes").start(this::changeHub);
    }

    /** Takes on the leader's part: judging liveness. Serves sessions too, if it did not yet. */
    public synchronized void run() {
        serve();
        if (liveness instanceof FollowerLiveness f) {
            f.close();
            liveness = new LeaderLiveness(store, writer, sessions, heard, policy, clock, scheduler);
        }
    }

    /** Gives up the leader's part; sessions stay open (a follower serves them). */
    public synchronized void stop() {
        if (liveness instanceof LeaderLiveness l) {
            l.close();
            liveness = new FollowerLiveness(leader, sessions, heard, policy, clock, scheduler);
        }
    }

    /** Stops everything and ends every session (the manager role ends). */
    public synchronized void shutdown() {
        Liveness l = liveness;
        liveness = null;
        if (l != null) {
            l.close();
        }
        if (hub != null) {
            hub.interrupt();
            hub = null;
        }
        if (statuses != null) {
            statuses.close();
            statuses = null;
        }
        sessions.closeAll(Status.UNAVAILABLE.withDescription("this manager stopped"));
        heard.clear();
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- metrics

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

    // ---------------------------------------------------------------- liveness

    /** Other managers heard these nodes: the leader notes them, a follower passes them on with its own report. */
    public void heardFrom(Collection<String> nodeIds) {
        Liveness l = liveness;
        if (l != null) {
            l.heardFrom(nodeIds, clock.getAsLong());
        }
    }

    private void heard(String nodeId) {
        long now = clock.getAsLong();
        heard.note(nodeId, now);
        Liveness l = liveness;
        if (l != null) {
            l.heard(nodeId, now);
        }
    }

    /** A session of the node is opening here: the leader learns it before the node's Ready is written. */
    private void opening(String nodeId) {
        long now = clock.getAsLong();
        heard.note(nodeId, now);
        Liveness l = liveness;
        if (l != null) {
            l.opening(nodeId, now);
        }
    }

    /** Leader: marks nodes Down or Ready again as they fell silent or came back. Visible for tests. */
    void checkLiveness() {
        if (liveness instanceof LeaderLiveness l) {
            l.check();
        }
    }

    /** Follower: reports the nodes heard since the last report to the leader. Visible for tests. */
    void report() {
        if (liveness instanceof FollowerLiveness f) {
            f.report();
        }
    }

    /** Down-after in force now. Visible for tests. */
    long downAfterMs() {
        return policy.get().downAfterMs(clock.getAsLong());
    }

    /** The heartbeat period workers are told now. Visible for tests. */
    long periodMs() {
        return policy.get().periodMs();
    }

    /** A session ended: the streams that follow it (its session stream, its assignments) stop now. */
    private void sessionEnded(Sessions.Session s) {
        sessionStreams.wakeups().wake(s.nodeId());
        assignments.wakeups().wake(s.nodeId());
    }

    /**
     * One watch for all streams: each burst of changes ({@link Bursts}: until
     * {@link #BURST_QUIET_MS} without a change, at most {@link #BURST_MAX_MS}) wakes, once, only
     * the streams {@link ChangeRouter} says its changes concern.
     */
    private void changeHub() {
        try (Watch w = store.watch()) {
            Bursts bursts = Bursts.of(w, BURST_QUIET_MS, BURST_MAX_MS);
            while (liveness != null) {
                List<StoreEvent> burst = bursts.next(1_000);
                if (!burst.isEmpty()) {
                    apply(ChangeRouter.route(burst));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("dispatcher change hub failed: {}", e.toString());
        }
    }

    private void apply(ChangeRouter.Wake wake) {
        Liveness l = liveness;
        if (l != null) {
            long now = clock.getAsLong();
            wake.turnedReady().forEach(id -> l.turnedReady(id, now)); // a full down-after from now
        }
        boolean periodChanged = wake.settings() && policy.refresh(); // workers learn the new period
        if (wake.managers()) {
            sessionStreams.refreshManagers();
        }
        if (wake.allSessions() || periodChanged) {
            sessionStreams.wakeups().wakeAll();
        } else {
            wake.sessionsOf().forEach(sessionStreams.wakeups()::wake);
        }
        if (wake.allTasks()) {
            assignments.wakeups().wakeAll();
        } else {
            wake.tasksOf().forEach(assignments.wakeups()::wake);
        }
    }

    // ---------------------------------------------------------------- the gRPC service

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
        if (liveness == null) {
            observer.onError(Status.UNAVAILABLE.withDescription("this manager is not serving sessions yet").asRuntimeException());
            return;
        }
        if (!(liveness instanceof LeaderLiveness) && !leader.leaderKnown()) {
            // a session opens with a committed write, which needs a leader; and a manager that left
            // the Raft group (demoted) never learns one again: the worker tries another manager
            observer.onError(Status.UNAVAILABLE.withDescription("this manager knows no Raft leader; try another manager")
                    .asRuntimeException());
            return;
        }
        String nodeId = caller.nodeId();
        if (!(liveness instanceof LeaderLiveness) && store.view(tx -> tx.node(nodeId)).isEmpty()) {
            leader.catchUp(); // the node may be recorded by an entry this follower has not applied yet
        }
        StatusBatcher batcher = statuses;
        if (batcher == null) {
            observer.onError(Status.UNAVAILABLE.withDescription("this manager stopped serving sessions").asRuntimeException());
            return;
        }
        opening(nodeId);
        try {
            sessionStreams.open(nodeId, req, stream, batcher);
        } catch (RuntimeException e) {
            observer.onError(Calls.toStatus(e).asRuntimeException());
            return;
        }
        heard(nodeId);
    }

    /** The session a worker's message names, while this manager serves it; on a stream, only the caller's own. */
    private Sessions.Session session(String sessionId, Caller caller) {
        return liveness == null ? null : sessions.get(sessionId, caller);
    }

    /** The task set of the session's node, now and after every change to it. */
    @Override
    public void assignments(AssignmentsRequest req, StreamObserver<AssignmentsMessage> observer) {
        Sessions.Session s = session(req.getSessionId(), null);
        if (s == null) {
            observer.onError(UNKNOWN_SESSION.asRuntimeException());
            return;
        }
        assignments.start(s, (ServerCallStreamObserver<AssignmentsMessage>) observer);
    }

    /** A report queued for the log; completes once its entry is committed. A report is as good as a heartbeat. */
    private CompletableFuture<?> report(Sessions.Session s, StatusBatcher batcher, UpdateTaskStatusRequest req) {
        statusReports.add(req.getUpdatesCount());
        heard(s.nodeId()); // a busy worker skips its beats
        return batcher.submit(s.nodeId(), req.getUpdatesList());
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
        Sessions.Session s = session(req.getSessionId(), null);
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
                Sessions.Session s = session(req.getSessionId(), caller);
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
    private HeartbeatResponse beat(Sessions.Session s) {
        heartbeats.increment();
        heard(s.nodeId());
        return HeartbeatResponse.newBuilder().setPeriodMs(policy.get().periodMs()).build();
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> obs) {
        Calls.unary(obs, () -> {
            Sessions.Session s = session(req.getSessionId(), null);
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
                Sessions.Session s = session(req.getSessionId(), caller);
                if (s == null) {
                    end(UNKNOWN_SESSION);
                } else {
                    reply(beat(s));
                }
            }
        };
    }
}
