package io.shoal.worker.agent;

import io.shoal.api.HealthConfig;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.Executor;
import io.shoal.worker.exec.Health;
import io.shoal.worker.exec.TaskStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Runs the tasks the managers assign to this node: one runner per task moves it with
 * {@link TaskStep} and the executor's controller; every new state is queued and sent in batches.
 * A task that disappears from the assignments is stopped (if it still runs) and its container
 * removed. After a worker restart the assignments carry the states the managers last saw, so a
 * RUNNING task is simply watched again: containers live on under conmon (live restore); a task
 * whose container was created but never started is started by its step, as any other.
 */
public final class TaskManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManager.class);
    /** How often a running task is looked at when its controller wakes its runner on exit. */
    private static final long EXIT_RECHECK_MS = 1000;
    /** How long a new status waits for others to go in the same report. */
    private static final long LINGER_MS = 5;
    /** How often a report that failed is tried again. */
    private static final long RETRY_MS = 50;

    /** Sends status updates to the managers; throws when they could not be delivered. */
    public interface Reporter {
        void report(List<TaskStatusUpdate> updates) throws Exception;
    }

    private final Executor executor;
    private final LongSupplier clock;
    private final TaskStep step;
    /** how long no manager has answered: tasks that ask for it stop themselves past their limit */
    private final Disconnection disconnection;
    /** the secrets and configs the assigned tasks read (memory only) */
    private final DependencyStore dependencies = new DependencyStore();
    private final Map<String, Runner> runners = new ConcurrentHashMap<>();
    private final Map<String, TaskStatus> unsent = new LinkedHashMap<>();
    /** released for each status queued: wakes the flusher */
    private final Semaphore queued = new Semaphore(0);
    private volatile Reporter reporter;
    private volatile LongConsumer onStarted = nanos -> { };
    private boolean swept;
    private volatile boolean closed;
    private final Thread flusher;

    public TaskManager(Executor executor, TaskStep step) {
        this(executor, step, System::currentTimeMillis);
    }

    /** @param clock milliseconds, for health check timing */
    public TaskManager(Executor executor, TaskStep step, LongSupplier clock) {
        this(executor, step, clock, new Disconnection(System::nanoTime));
    }

    /**
     * @param clock         milliseconds, for health check timing
     * @param disconnection how long no manager has answered (the {@link Agent} keeps it current)
     */
    public TaskManager(Executor executor, TaskStep step, LongSupplier clock, Disconnection disconnection) {
        this.clock = clock;
        this.executor = executor;
        this.step = step;
        this.disconnection = disconnection;
        this.flusher = Thread.ofVirtual().name("task-status-flusher").start(this::flushLoop);
    }

    public void setReporter(Reporter r) {
        this.reporter = r;
    }

    /** Told, for each task this worker was assigned and started, how long it took from the assignment to RUNNING (ns). */
    public void onStarted(LongConsumer listener) {
        this.onStarted = listener;
    }

    /** How many of this worker's tasks are in each state (as this worker last saw them). */
    public Map<TaskState, Integer> countByState() {
        Map<TaskState, Integer> counts = new EnumMap<>(TaskState.class);
        for (Runner r : runners.values()) {
            counts.merge(r.local.getState(), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * The complete task set of this node, as the dispatcher sent it. The first set after the worker
     * started also settles what the last run left behind: containers of assigned tasks are adopted
     * (their runners find them running, or read the exit code conmon wrote while the worker was
     * away), and containers of tasks no longer assigned here are stopped and removed.
     */
    public synchronized void assign(List<Task> tasks) {
        List<String> existing = null;
        if (!swept) {
            swept = true;
            try {
                existing = executor.existingTaskIds();
            } catch (ExecException e) {
                LOG.warn("cannot look for containers left behind: {}", e.getMessage());
            }
        }
        TaskPlan plan = TaskPlan.of(tasks, runners.keySet(), existing);
        for (Task t : plan.run()) {
            runners.computeIfAbsent(t.getId(), id -> new Runner(t, false)).update(t);
        }
        for (String id : plan.leftover()) {
            LOG.info("removing the container of task {}: it is no longer assigned to this node", id);
            new Runner(Task.newBuilder().setId(id).build(), true);
        }
        for (String id : plan.retire()) {
            Runner r = runners.remove(id);
            if (r != null) {
                r.retire();
            }
        }
    }

    /** How long this worker has been cut off from every manager; the agent tells it when one answers. */
    public Disconnection disconnection() {
        return disconnection;
    }

    /** Where the assignments stream keeps the secrets and configs of this node's tasks. */
    DependencyStore dependencies() {
        return dependencies;
    }

    /** Ids of the tasks this worker is handling. */
    public Set<String> taskIds() {
        return Set.copyOf(runners.keySet());
    }

    private void queue(String taskId, TaskStatus s) {
        synchronized (unsent) {
            unsent.put(taskId, s);
        }
        queued.release();
    }

    /**
     * Sends what is queued soon after it is queued: a burst (a service's tasks starting together)
     * gathers for {@link #LINGER_MS} and goes in one report; a failed report is retried every
     * {@link #RETRY_MS}.
     */
    private void flushLoop() {
        while (!closed) {
            try {
                if (queued.tryAcquire(RETRY_MS, TimeUnit.MILLISECONDS)) {
                    Thread.sleep(LINGER_MS);
                    queued.drainPermits();
                }
                flush();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void flush() {
        Reporter r = reporter;
        List<TaskStatusUpdate> batch = new ArrayList<>();
        synchronized (unsent) {
            if (unsent.isEmpty() || r == null) {
                return;
            }
            unsent.forEach((id, s) -> batch.add(TaskStatusUpdate.newBuilder().setTaskId(id).setStatus(s).build()));
            unsent.clear();
        }
        try {
            r.report(batch);
        } catch (Exception e) {
            LOG.debug("status report failed, will retry: {}", e.toString());
            synchronized (unsent) {
                for (TaskStatusUpdate u : batch) {
                    unsent.putIfAbsent(u.getTaskId(), u.getStatus());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        flusher.interrupt();
        runners.values().forEach(Runner::detach);
    }

    /** One task's life on this worker. */
    private final class Runner {
        final String id;
        private volatile Task latest;
        private volatile TaskStatus local;
        private volatile boolean retired;
        private volatile boolean detached;
        private final Semaphore wake = new Semaphore(0);
        /** When the assignment of a task still to start arrived (System.nanoTime), or 0 for one started before. */
        private final long assignedNanos;
        private final Thread thread;
        private Controller controller;
        private Health health;

        /** @param retired true for a container left behind that only needs stopping and removing */
        Runner(Task t, boolean retired) {
            this.id = t.getId();
            this.retired = retired;
            this.latest = t;
            this.local = t.getStatus();
            this.assignedNanos = !retired && t.getStatus().getState().getNumber() <= TaskState.TASK_STATE_ASSIGNED_VALUE ? System.nanoTime() : 0;
            this.thread = Thread.ofVirtual().name("task-" + id).start(this::run);
        }

        void update(Task t) {
            latest = t;
            // the manager's view is newer only if it is further along (e.g. after a restart)
            if (t.getStatus().getState().getNumber() > local.getState().getNumber()) {
                local = t.getStatus();
            }
            wake.release();
        }

        void retire() {
            retired = true;
            wake.release();
        }

        /** Stop watching without touching the container (worker shutdown: containers live on). */
        void detach() {
            detached = true;
            thread.interrupt();
        }

        /**
         * Runs the task's health probe when one is due and returns what the step needs: null when
         * the task has no check. The check comes from the service spec or else from the image; it
         * starts counting when the container is first seen started.
         */
        private Health.Report checkHealth(Task t) {
            TaskState s = t.getStatus().getState();
            if (s != TaskState.TASK_STATE_STARTING && s != TaskState.TASK_STATE_RUNNING) {
                return null;
            }
            HealthConfig cfg = t.getSpec().getContainer().hasHealthcheck()
                    && !t.getSpec().getContainer().getHealthcheck().getTestList().isEmpty()
                    ? t.getSpec().getContainer().getHealthcheck() : controller.imageHealthcheck();
            if (Health.command(cfg).isEmpty()) {
                return null;
            }
            if (health == null) {
                if (!controller.exists() || controller.awaitingStart()) {
                    return Health.Report.STARTING;
                }
                health = Health.of(cfg, clock.getAsLong()).orElseThrow();
            }
            long now = clock.getAsLong();
            if (health.due(now)) {
                try {
                    Health.Probe p = controller.probe(health.probeCommand(), health.timeout());
                    Health.Status before = health.status();
                    if (health.record(p, clock.getAsLong()) != before) {
                        LOG.info("task {}: {}", id, health.status() == Health.Status.UNHEALTHY ? health.describe()
                                : "health " + health.status().name().toLowerCase());
                    }
                } catch (ExecException e) {
                    health.record(new Health.Probe(-1, e.getMessage()), clock.getAsLong());
                }
            }
            return health.report();
        }

        /**
         * Stops a task whose worker has been cut off from every manager for longer than its spec
         * allows, as if the managers wanted it shut down; the state is reported once a manager
         * answers again. The task is stopped, not removed: its container stays until the managers
         * let it go, as any stopped task's does.
         */
        private TaskStatus stopCutOff(Task t) throws InterruptedException {
            LOG.info("task {}: {}", id, Disconnection.message(t));
            TaskStatus s = step.step(t.toBuilder().setDesiredState(TaskState.TASK_STATE_SHUTDOWN).build(), controller, null);
            return s.getState() == TaskState.TASK_STATE_SHUTDOWN ? s.toBuilder().setMessage(Disconnection.message(t)).build() : s;
        }

        private void run() {
            try {
                controller = executor.controller(latest, dependencies.forTask(latest));
                boolean exitNotified = controller.notifyExit(wake::release);
                boolean exited = false;
                while (!retired && !detached) {
                    Task t = latest.toBuilder().setStatus(local).build();
                    boolean cutOff = disconnection.stopDue(t);
                    TaskStatus next = cutOff ? stopCutOff(t) : step.step(t, controller, checkHealth(t));
                    if (!next.equals(local)) {
                        if (next.getState() == TaskState.TASK_STATE_RUNNING && local.getState() != TaskState.TASK_STATE_RUNNING
                                && assignedNanos != 0) {
                            onStarted.accept(System.nanoTime() - assignedNanos);
                        }
                        local = next;
                        queue(id, next);
                        continue;
                    }
                    if (!exited && local.getState().getNumber() > TaskState.TASK_STATE_RUNNING_VALUE) {
                        exited = true;
                        try {
                            controller.afterExit(); // no secrets kept for a container that will not run again
                        } catch (ExecException e) {
                            LOG.warn("task {}: {}", id, e.getMessage());
                        }
                    }
                    boolean waitingForExit = local.getState() == TaskState.TASK_STATE_RUNNING && health == null;
                    if (waitingForExit && !exitNotified) {
                        controller.waitExit(Duration.ofMillis(250));
                        wake.tryAcquire();
                    } else {
                        // woken by a new assignment, or by the controller when the container exits
                        wake.tryAcquire(waitingForExit ? EXIT_RECHECK_MS : 250, TimeUnit.MILLISECONDS);
                    }
                }
                if (retired) {
                    if (controller.exists()) {
                        controller.shutdown("SIGTERM", Duration.ofSeconds(10));
                    }
                    controller.remove();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecException e) {
                LOG.warn("task {}: {}", id, e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("task {} runner failed", id, e);
            }
        }
    }
}
