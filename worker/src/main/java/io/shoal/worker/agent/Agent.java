package io.shoal.worker.agent;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.AssignmentsRequest;
import io.shoal.api.DispatcherGrpc;
import io.shoal.api.HeartbeatRequest;
import io.shoal.api.HeartbeatResponse;
import io.shoal.api.NodeDescription;
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.Task;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.api.UpdateTaskStatusRequest;
import io.shoal.api.UpdateTaskStatusResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The worker side of a node's link to the managers: keeps one session open with the dispatcher of
 * one manager (every manager serves sessions; a worker starts at a random one so sessions spread,
 * a manager's own worker at its own), heartbeats at the period the dispatcher asks for, and
 * reconnects with capped exponential backoff (jittered: {@link Backoff}), trying every known manager in turn.
 * Every session message (node, manager list) is handed to the listener; every assignments message
 * to the data plane and then, as the node's whole task set, to the {@link TaskManager}.
 *
 * <p>The decisions (whom to ask, when to beat, when to give a session up) are pure functions in
 * {@link SessionRules} on an injected clock and source of randomness; this class does the talking.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

    private final Function<String, Channel> channels;
    private final Supplier<NodeDescription> description;
    private final String advertiseAddr;
    private final Consumer<SessionMessage> listener;
    private final TaskManager tasks;
    /** monotonic nanoseconds, as {@link System#nanoTime} */
    private final LongSupplier clock;
    private final DoubleSupplier random;
    private final List<String> managers = new CopyOnWriteArrayList<>();
    /** When a status report was last answered (clock nanoseconds): the manager heard from this node then. */
    private final AtomicLong reportAnswered;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Context.CancellableContext current;
    private volatile boolean connected;
    private volatile String connectedTo;
    private volatile Consumer<AssignmentsMessage> networks = m -> { };

    /**
     * @param managers      daemon addresses (IP:PORT) of the managers known at start; the first is tried first
     * @param channels      opens (or reuses) a mutual-TLS channel to a daemon address
     * @param description   what this node reports about itself
     * @param advertiseAddr this daemon's cluster address
     * @param listener      receives every session message
     */
    public Agent(List<String> managers, Function<String, Channel> channels, Supplier<NodeDescription> description,
                 String advertiseAddr, Consumer<SessionMessage> listener) {
        this(managers, channels, description, advertiseAddr, listener, null);
    }

    /** @param tasks runs the tasks assigned to this node; null for a node that runs none */
    public Agent(List<String> managers, Function<String, Channel> channels, Supplier<NodeDescription> description,
                 String advertiseAddr, Consumer<SessionMessage> listener, TaskManager tasks) {
        this(managers, channels, description, advertiseAddr, listener, tasks, System::nanoTime,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * @param clock  monotonic nanoseconds (heartbeat timing)
     * @param random numbers in [0, 1): where the rotation over managers starts, the backoff's jitter
     */
    public Agent(List<String> managers, Function<String, Channel> channels, Supplier<NodeDescription> description,
                 String advertiseAddr, Consumer<SessionMessage> listener, TaskManager tasks, LongSupplier clock,
                 DoubleSupplier random) {
        this.tasks = tasks;
        this.managers.addAll(managers);
        this.channels = channels;
        this.description = description;
        this.advertiseAddr = advertiseAddr;
        this.listener = listener;
        this.clock = clock;
        this.random = random;
        this.reportAnswered = new AtomicLong(clock.getAsLong() - TimeUnit.HOURS.toNanos(1));
        this.thread = Thread.ofVirtual().name("agent-session").start(this::run);
    }

    /** True while a session is open. */
    public boolean connected() {
        return connected;
    }

    /** Receives every assignments message's networks and peers (the node's overlay data plane). */
    public void onNetworks(Consumer<AssignmentsMessage> networks) {
        this.networks = networks;
    }

    /** The manager this agent's session is with, else the first known manager (null if none). */
    public String preferredManager() {
        String c = connectedTo;
        if (connected && c != null) {
            return c;
        }
        List<String> m = managers();
        return m.isEmpty() ? null : m.get(0);
    }

    public List<String> managers() {
        return List.copyOf(managers);
    }

    private void run() {
        Backoff backoff = new Backoff(MIN_BACKOFF, MAX_BACKOFF, random);
        SessionRules.Rotation rotation = new SessionRules.Rotation(advertiseAddr, (int) (random.getAsDouble() * (1 << 20)));
        while (running) {
            List<String> candidates = new ArrayList<>(managers);
            if (candidates.isEmpty()) {
                sleep(MAX_BACKOFF);
                continue;
            }
            String addr = rotation.next(candidates);
            try {
                if (runSession(addr)) {
                    backoff.reset();
                }
            } catch (StatusRuntimeException e) {
                if (running) {
                    LOG.info("session with {} ended: {}", addr, describe(e.getStatus()));
                }
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("session with {} failed", addr, e);
                }
            } finally {
                connected = false;
            }
            if (running) {
                sleep(backoff.next());
            }
        }
    }

    private static String describe(Status s) {
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }

    /** Runs one session to its end; true if it got as far as the first message. */
    private boolean runSession(String addr) {
        Channel ch = channels.apply(addr);
        Context.CancellableContext ctx = Context.current().withCancellation();
        current = ctx;
        Thread heartbeats = null;
        boolean established = false;
        try {
            Context prev = ctx.attach();
            try {
                Iterator<SessionMessage> it = DispatcherGrpc.newBlockingStub(ch).session(SessionRequest.newBuilder()
                        .setDescription(description.get()).setAdvertiseAddr(advertiseAddr).build());
                while (running && it.hasNext()) {
                    SessionMessage m = it.next();
                    if (!established) {
                        established = true;
                        connected = true;
                        connectedTo = addr;
                        LOG.info("session {} open with {}", m.getSessionId(), addr);
                        heartbeats = startHeartbeats(ctx, ch, m.getSessionId(), m.getHeartbeatPeriodMs());
                        if (tasks != null) {
                            followAssignments(ctx, ch, m.getSessionId());
                        }
                    }
                    heard();
                    updateManagers(m);
                    listener.accept(m);
                }
            } finally {
                ctx.detach(prev);
            }
        } finally {
            ctx.cancel(null);
            if (heartbeats != null) {
                heartbeats.interrupt();
            }
        }
        return established;
    }

    private void updateManagers(SessionMessage m) {
        List<String> fresh = SessionRules.managers(m, managers);
        if (!fresh.equals(managers)) {
            managers.clear();
            managers.addAll(fresh);
        }
    }

    /** Feeds the task manager from the assignments stream and reports through this session. */
    private void followAssignments(Context.CancellableContext session, Channel ch, String sessionId) {
        StatusStream reports = new StatusStream(session, ch, sessionId, reportAnswered, clock);
        tasks.setReporter(updates -> {
            reports.report(updates);
            heard(); // answered: the states are committed
        });
        Thread.ofVirtual().name("agent-assignments").start(() -> session.run(() -> {
            try {
                Iterator<AssignmentsMessage> it = DispatcherGrpc.newBlockingStub(ch)
                        .assignments(AssignmentsRequest.newBuilder().setSessionId(sessionId).build());
                AssignmentSet set = new AssignmentSet(tasks.dependencies());
                while (running && it.hasNext()) {
                    AssignmentsMessage m = it.next();
                    heard();
                    List<Task> all = set.apply(m);
                    // the plane first: a task's networks must be known before its container is prepared
                    networks.accept(m);
                    tasks.assign(all);
                }
            } catch (StatusRuntimeException e) {
                if (running && !session.isCancelled()) {
                    LOG.info("assignments stream ended: {}", describe(e.getStatus()));
                    session.cancel(e);
                }
            }
        }));
    }

    /**
     * Status reports as messages on one stream for the session ({@code Dispatcher.StatusReports}),
     * one at a time, each waiting for its answer (its states committed) for up to 10 s. A report
     * that fails or goes unanswered ends the stream; the task manager keeps its states and the
     * next report opens a new stream (on the session's current manager).
     */
    static final class StatusStream implements TaskManager.Reporter {
        private final Context.CancellableContext session;
        private final Channel ch;
        private final String sessionId;
        private final AtomicLong answered;
        private final LongSupplier clock;
        private final Map<Long, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
        private volatile StreamObserver<UpdateTaskStatusRequest> out;
        private long sequence;

        StatusStream(Context.CancellableContext session, Channel ch, String sessionId, AtomicLong answered, LongSupplier clock) {
            this.session = session;
            this.ch = ch;
            this.sessionId = sessionId;
            this.answered = answered;
            this.clock = clock;
        }

        @Override
        public synchronized void report(List<TaskStatusUpdate> updates) throws Exception {
            StreamObserver<UpdateTaskStatusRequest> o = out;
            if (o == null) {
                o = open();
            }
            long n = ++sequence;
            CompletableFuture<Void> answer = new CompletableFuture<>();
            waiting.put(n, answer);
            try {
                o.onNext(UpdateTaskStatusRequest.newBuilder().setSessionId(sessionId).addAllUpdates(updates)
                        .setSequence(n).build());
                answer.get(10, TimeUnit.SECONDS);
                answered.set(clock.getAsLong()); // as good as a heartbeat, both ways
            } catch (Exception e) {
                waiting.remove(n);
                if (out == o) {
                    out = null;
                    try {
                        o.onError(Status.CANCELLED.withDescription("report failed").asRuntimeException());
                    } catch (RuntimeException ignored) {
                        // the stream is gone already
                    }
                }
                throw e instanceof ExecutionException x && x.getCause() instanceof Exception c ? c : e;
            }
        }

        private StreamObserver<UpdateTaskStatusRequest> open() {
            Context prev = session.attach(); // the stream ends with the session
            try {
                AtomicReference<StreamObserver<UpdateTaskStatusRequest>> self =
                        new AtomicReference<>();
                self.set(DispatcherGrpc.newStub(ch).statusReports(new StreamObserver<>() {
                    @Override
                    public void onNext(UpdateTaskStatusResponse r) {
                        var f = waiting.remove(r.getSequence());
                        if (f != null) {
                            f.complete(null);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended(Status.UNAVAILABLE.withDescription("the manager ended the report stream").asRuntimeException());
                    }

                    private void ended(Throwable t) {
                        if (out == self.get()) {
                            out = null;
                        }
                        waiting.values().forEach(f -> f.completeExceptionally(t));
                    }
                }));
                out = self.get();
                return self.get();
            } finally {
                session.detach(prev);
            }
        }
    }

    /**
     * Heartbeats on one stream for the session: a message every period, each answered with the
     * period to use. No answer within twice the period (at least a second) ends the session, as a
     * failed call did, so a manager that hangs or is cut off is left for another.
     */
    private Thread startHeartbeats(Context.CancellableContext session, Channel ch, String sessionId, long periodMs) {
        long initial = periodMs > 0 ? periodMs : 1000;
        return Thread.ofVirtual().name("agent-heartbeat").start(() -> {
            AtomicLong period = new AtomicLong(initial);
            AtomicLong answered = new AtomicLong(clock.getAsLong());
            AtomicReference<Status> failed = new AtomicReference<>();
            StreamObserver<HeartbeatRequest> beats;
            Context prev = session.attach(); // the stream ends with the session
            try {
                beats = DispatcherGrpc.newStub(ch).heartbeats(new StreamObserver<>() {
                    @Override
                    public void onNext(HeartbeatResponse r) {
                        if (r.getPeriodMs() > 0) {
                            period.set(r.getPeriodMs());
                        }
                        answered.set(clock.getAsLong());
                        heard();
                    }

                    @Override
                    public void onError(Throwable t) {
                        failed.compareAndSet(null, Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        failed.compareAndSet(null, Status.UNAVAILABLE.withDescription("the manager ended the heartbeat stream"));
                    }
                });
            } finally {
                session.detach(prev);
            }
            HeartbeatRequest beat = HeartbeatRequest.newBuilder().setSessionId(sessionId).build();
            try {
                while (running && !session.isCancelled()) {
                    if (SessionRules.beatDue(clock.getAsLong(), reportAnswered.get(), period.get())) {
                        beats.onNext(beat);
                    }
                    sleep(Duration.ofMillis(period.get()));
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    Status f = failed.get();
                    String silent = SessionRules.silence(clock.getAsLong(), answered.get(), reportAnswered.get(), period.get());
                    if (f == null && silent != null) {
                        f = Status.DEADLINE_EXCEEDED.withDescription(silent);
                    }
                    if (f != null) {
                        LOG.info("heartbeat failed: {}", describe(f));
                        session.cancel(f.asRuntimeException());
                        return;
                    }
                }
            } catch (RuntimeException e) {
                LOG.info("heartbeat failed: {}", e.toString());
                session.cancel(e);
            } finally {
                try {
                    beats.onCompleted();
                } catch (RuntimeException ignored) {
                    // the stream is gone already
                }
            }
        });
    }

    /** A manager answered: the worker is not cut off (see {@link Disconnection}). */
    private void heard() {
        if (tasks != null) {
            tasks.disconnection().heard();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the current session; the agent opens the next one with the next manager in its list. */
    public void reconnect() {
        Context.CancellableContext c = current;
        if (c != null) {
            c.cancel(null);
        }
    }

    @Override
    public void close() {
        running = false;
        Context.CancellableContext c = current;
        if (c != null) {
            c.cancel(null);
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
