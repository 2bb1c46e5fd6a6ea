package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.AssignmentsRequest;
import io.shoal.api.DispatcherGrpc;
import io.shoal.api.HeartbeatRequest;
import io.shoal.api.HeartbeatResponse;
import io.shoal.api.NodeDescription;
import io.shoal.api.Platform;
import io.shoal.api.Resources;
import io.shoal.api.SessionMessage;
import io.shoal.api.SessionRequest;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.api.UpdateTaskStatusRequest;
import io.shoal.api.UpdateTaskStatusResponse;
import io.shoal.worker.agent.Backoff;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One simulated worker of {@link HollowNodesBench}: it speaks the real dispatcher protocol (a
 * session, heartbeats on their stream, skipped after an answered report as the agent does, the
 * assignments stream, status reports on their stream) but runs nothing: an assigned task is
 * reported RUNNING at once, a task the managers want stopped SHUTDOWN. Like the agent, a session
 * that fails is opened again after a jittered, doubling wait ({@link Backoff}), and a report whose
 * stream ends unanswered (a status write that failed, as every write in flight does when the Raft
 * leader changes) is sent again, as the agent's task manager retries it: the store did not change,
 * so nothing else would send the task to the node again (issue 17's tasks left ASSIGNED).
 */
final class HollowNode {
    /** How soon states whose report went unanswered are sent again (the agent's task manager retries as often). */
    static final long RETRY_MS = 50;

    /** What the whole simulated fleet counts. */
    static final class Fleet {
        /** When each task was first seen assigned (System.nanoTime()). */
        final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        /** Tasks whose RUNNING report the managers answered (committed), and when the last one was. */
        final AtomicLong running = new AtomicLong();
        final AtomicLong lastRunning = new AtomicLong();
        /** Nodes that opened a first session. */
        final AtomicLong sessions = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        /** Assignments messages received, status reports and heartbeats sent. */
        final AtomicLong messages = new AtomicLong();
        final AtomicLong reports = new AtomicLong();
        final AtomicLong beatsSent = new AtomicLong();
    }

    final ManagedChannel ch;
    /** The tasks whose RUNNING report was answered (committed) this round. */
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final DispatcherGrpc.DispatcherStub stub;
    private final ScheduledExecutorService timer;
    private final Fleet fleet;
    private final AtomicInteger generation = new AtomicInteger();
    /** The agent's own backoff between session attempts (one attempt at a time per node, so no lock). */
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2),
            () -> ThreadLocalRandom.current().nextDouble());
    private volatile String session;
    private volatile ScheduledFuture<?> beat;
    private volatile StreamObserver<HeartbeatRequest> beats;
    private volatile boolean counted;
    /** When a status report was last answered (System.nanoTime()). */
    private volatile long reportAnswered = System.nanoTime() - TimeUnit.HOURS.toNanos(1);
    /** States not sent yet, by task (guarded by this): new ones, and those of reports that went unanswered. */
    private final Map<String, TaskStatusUpdate> unsent = new LinkedHashMap<>();
    /** The report stream (as the agent reports), opened on the first report after the last one ended (guarded by this). */
    private Reports reports;
    private long sequence;

    HollowNode(ManagedChannel ch, ScheduledExecutorService timer, Fleet fleet) {
        this.ch = ch;
        this.stub = DispatcherGrpc.newStub(ch);
        this.timer = timer;
        this.fleet = fleet;
    }

    static NodeDescription description() {
        return NodeDescription.newBuilder().setHostname("hollow")
                .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture("x86_64"))
                .setResources(Resources.newBuilder().setNanoCpus(64_000_000_000L).setMemoryBytes(256L << 30)).build();
    }

    /** Opens a session; like the real agent, a failed or ended one is opened again after a backoff. */
    void open() {
        int gen = generation.incrementAndGet();
        stub.session(SessionRequest.newBuilder().setDescription(description()).build(), new StreamObserver<>() {
            @Override
            public void onNext(SessionMessage m) {
                if (generation.get() == gen && session == null) {
                    backoff.reset();
                    session = m.getSessionId();
                    long period = Math.max(100, m.getHeartbeatPeriodMs());
                    beats = stub.heartbeats(new StreamObserver<HeartbeatResponse>() {
                        @Override public void onNext(HeartbeatResponse r) { }
                        @Override public void onError(Throwable t) { fleet.errors.incrementAndGet(); reopen(gen); }
                        @Override public void onCompleted() { reopen(gen); }
                    });
                    beat = timer.scheduleAtFixedRate(() -> heartbeat(gen, period), 0, period, TimeUnit.MILLISECONDS);
                    stub.assignments(AssignmentsRequest.newBuilder().setSessionId(session).build(), assignments());
                    flush(); // what waited for a session
                    if (!counted) {
                        counted = true;
                        fleet.sessions.incrementAndGet();
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                fleet.errors.incrementAndGet();
                reopen(gen);
            }

            @Override
            public void onCompleted() {
                reopen(gen);
            }
        });
    }

    private void reopen(int gen) {
        if (!generation.compareAndSet(gen, gen + 1)) {
            return; // this session was given up already
        }
        var b = beat;
        if (b != null) {
            b.cancel(false);
        }
        var hb = beats;
        beats = null;
        if (hb != null) {
            try {
                synchronized (this) {
                    hb.onCompleted();
                }
            } catch (RuntimeException ignored) {
                // already ended
            }
        }
        session = null;
        later(this::open, backoff.next().toMillis());
    }

    private void later(Runnable r, long ms) {
        try {
            timer.schedule(r, ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // the bench is over
        }
    }

    /** Queues these states and sends every queued one. */
    synchronized void report(List<TaskStatusUpdate> updates) {
        updates.forEach(u -> unsent.put(u.getTaskId(), u));
        flush();
    }

    /** Sends every queued state in one report on the report stream; they wait while no session is open. */
    private synchronized void flush() {
        String id = session;
        if (id == null || unsent.isEmpty()) {
            return;
        }
        if (reports == null) {
            reports = new Reports();
            reports.out = stub.statusReports(reports);
        }
        List<TaskStatusUpdate> batch = List.copyOf(unsent.values());
        unsent.clear();
        long n = ++sequence;
        reports.waiting.put(n, batch);
        fleet.reports.incrementAndGet();
        reports.out.onNext(UpdateTaskStatusRequest.newBuilder().setSessionId(id).addAllUpdates(batch).setSequence(n).build());
    }

    /** One report stream: its reports by sequence until answered. */
    private final class Reports implements StreamObserver<UpdateTaskStatusResponse> {
        final Map<Long, List<TaskStatusUpdate>> waiting = new ConcurrentHashMap<>();
        StreamObserver<UpdateTaskStatusRequest> out;

        @Override
        public void onNext(UpdateTaskStatusResponse r) {
            reportAnswered = System.nanoTime();
            List<TaskStatusUpdate> answered = waiting.remove(r.getSequence());
            if (answered != null) { // the managers answer once the reported states are committed: acknowledged
                answered.stream().filter(u -> u.getStatus().getState() == TaskState.TASK_STATE_RUNNING)
                        .forEach(u -> ack(u.getTaskId()));
            }
        }

        @Override
        public void onError(Throwable t) {
            fleet.errors.incrementAndGet();
            ended(this);
        }

        @Override
        public void onCompleted() {
            ended(this);
        }
    }

    /** A report stream ended: the states it left unanswered are queued again (the newest of each task) and sent soon. */
    private void ended(Reports stream) {
        synchronized (this) {
            if (reports == stream) {
                reports = null;
            }
            for (List<TaskStatusUpdate> batch : stream.waiting.values()) {
                for (TaskStatusUpdate u : batch) {
                    unsent.merge(u.getTaskId(), u, (queued, lost) ->
                            lost.getStatus().getState().getNumber() > queued.getStatus().getState().getNumber() ? lost : queued);
                }
            }
            stream.waiting.clear();
        }
        later(this::flush, RETRY_MS);
    }

    /** One heartbeat on the session's heartbeat stream, as the agent sends them: none when a report was answered within the period. */
    private void heartbeat(int gen, long periodMs) {
        String id = session;
        var hb = beats;
        if (id == null || hb == null || generation.get() != gen
                || System.nanoTime() - reportAnswered < TimeUnit.MILLISECONDS.toNanos(periodMs)) {
            return;
        }
        synchronized (this) {
            hb.onNext(HeartbeatRequest.newBuilder().setSessionId(id).build());
        }
        fleet.beatsSent.incrementAndGet();
    }

    private void ack(String taskId) {
        if (acked.add(taskId)) {
            fleet.running.incrementAndGet();
            fleet.lastRunning.set(System.nanoTime());
        }
    }

    private StreamObserver<AssignmentsMessage> assignments() {
        return new StreamObserver<>() {
            @Override
            public void onNext(AssignmentsMessage m) {
                fleet.messages.incrementAndGet();
                List<TaskStatusUpdate> updates = new ArrayList<>();
                for (Task t : m.getTasksList()) {
                    if (t.getDesiredState() == TaskState.TASK_STATE_RUNNING && t.getStatus().getState() == TaskState.TASK_STATE_ASSIGNED) {
                        fleet.firstSeen.putIfAbsent(t.getId(), System.nanoTime());
                        updates.add(TaskStatusUpdate.newBuilder().setTaskId(t.getId()).setStatus(TaskStatus.newBuilder()
                                .setState(TaskState.TASK_STATE_RUNNING).setMessage("started").setTimestampMs(System.currentTimeMillis())).build());
                    }
                    if (t.getDesiredState().getNumber() > TaskState.TASK_STATE_RUNNING_VALUE
                            && t.getStatus().getState().getNumber() < TaskState.TASK_STATE_COMPLETE_VALUE) {
                        updates.add(TaskStatusUpdate.newBuilder().setTaskId(t.getId()).setStatus(TaskStatus.newBuilder()
                                .setState(TaskState.TASK_STATE_SHUTDOWN).setMessage("shutdown").setTimestampMs(System.currentTimeMillis())).build());
                    }
                    if (t.getStatus().getState() == TaskState.TASK_STATE_RUNNING) {
                        ack(t.getId()); // a full set after a new session: committed earlier
                    }
                }
                if (!updates.isEmpty()) {
                    report(updates);
                }
            }

            @Override
            public void onError(Throwable t) {
                fleet.errors.incrementAndGet();
            }

            @Override
            public void onCompleted() {
            }
        };
    }
}
