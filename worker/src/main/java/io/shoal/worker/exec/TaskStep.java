package io.shoal.worker.exec;

import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The worker's side of a task's life, one state at a time (as swarmkit's exec.Do): given the task
 * as the manager wants it and as it is, do the one thing that moves it on and return its new
 * status. Pure apart from the controller it drives, so it is tested with a scripted controller.
 *
 * <pre>
 * ASSIGNED -> ACCEPTED -> PREPARING -(prepare)-> READY -> STARTING -(start)-> RUNNING -(exit)-> COMPLETE | FAILED
 * a failure before the process starts -> REJECTED; desired SHUTDOWN (or later) -> stop -> SHUTDOWN
 * </pre>
 * A task whose desired state is READY is prepared (image pulled, container made) and held there
 * until the managers want it RUNNING: a stop-first update's replacement waits so for the task it
 * replaces to stop.
 *
 * <p>A restarted worker steps its tasks on from the states the managers last recorded, which may
 * be behind what it did: a container it finds started is not started again, and one it finds
 * created but never started ({@link Controller#awaitingStart()}: the worker stopped between the
 * runtime's create and the start) is started before its task is reported RUNNING.
 */
public final class TaskStep {
    /** The message of a started container waiting for its first passing health check. */
    static final String WAITING_FOR_HEALTH = "started, waiting for the health check to pass";

    private final LongSupplier clock;

    public TaskStep(LongSupplier clock) {
        this.clock = clock;
    }

    /** {@link #step(Task, Controller, Health.Report)} for a task without a health check. */
    public TaskStatus step(Task task, Controller ctl) throws InterruptedException {
        return step(task, ctl, null);
    }

    /**
     * The status after one step; equal to the current one when there is nothing to do now.
     *
     * @param health the container's health when the task has a check, null when it has none: a
     *               checked task stays STARTING until it is healthy, and an unhealthy container is
     *               killed and its task FAILED, so that the restart policy applies
     */
    public TaskStatus step(Task task, Controller ctl, Health.Report health) throws InterruptedException {
        TaskStatus cur = task.getStatus();
        TaskState state = cur.getState();
        if (state.getNumber() > TaskState.TASK_STATE_RUNNING_VALUE) {
            return cur; // finished: nothing moves a task backwards
        }
        try {
            if (task.getDesiredState().getNumber() > TaskState.TASK_STATE_RUNNING_VALUE) {
                if (state.getNumber() < TaskState.TASK_STATE_STARTING_VALUE) {
                    return status(TaskState.TASK_STATE_SHUTDOWN, "shut down before it started", null);
                }
                ExitStatus e = ctl.shutdown(stopSignal(task), grace(task));
                return status(TaskState.TASK_STATE_SHUTDOWN, "shutdown", e);
            }
            return switch (state) {
                case TASK_STATE_NEW, TASK_STATE_PENDING, TASK_STATE_ASSIGNED -> status(TaskState.TASK_STATE_ACCEPTED, "accepted", null);
                case TASK_STATE_ACCEPTED -> status(TaskState.TASK_STATE_PREPARING, "preparing", null);
                case TASK_STATE_PREPARING -> {
                    ctl.prepare();
                    yield status(TaskState.TASK_STATE_READY, "prepared", null);
                }
                case TASK_STATE_READY -> task.getDesiredState().getNumber() < TaskState.TASK_STATE_RUNNING_VALUE ? cur
                        : status(TaskState.TASK_STATE_STARTING, "starting", null);
                case TASK_STATE_STARTING -> {
                    if (!ctl.exists() || ctl.awaitingStart()) {
                        // none yet, or one a worker created and stopped before it started it (a restart)
                        ctl.start();
                    } else {
                        // started before (a restarted worker finds it): it may have exited since
                        Optional<ExitStatus> e = ctl.exitStatus();
                        if (e.isPresent()) {
                            yield ended(e.get());
                        }
                    }
                    if (health == null || health.status() == Health.Status.HEALTHY) {
                        yield status(TaskState.TASK_STATE_RUNNING, health == null ? "started" : "started, healthy", null);
                    }
                    if (health.status() == Health.Status.UNHEALTHY) {
                        yield unhealthy(ctl, health);
                    }
                    yield cur.getMessage().equals(WAITING_FOR_HEALTH) ? cur
                            : status(TaskState.TASK_STATE_STARTING, WAITING_FOR_HEALTH, null);
                }
                case TASK_STATE_RUNNING -> {
                    Optional<ExitStatus> e = ctl.exitStatus();
                    if (e.isEmpty() && !ctl.exists()) {
                        throw new ExecException("the container is gone (was the host restarted?)");
                    }
                    if (e.isEmpty() && ctl.awaitingStart()) {
                        ctl.start(); // reported running by a release that adopted it created and never started it
                    }
                    if (e.isEmpty() && health != null && health.status() == Health.Status.UNHEALTHY) {
                        yield unhealthy(ctl, health);
                    }
                    yield e.isEmpty() ? cur : ended(e.get());
                }
                default -> cur;
            };
        } catch (ExecException e) {
            boolean started = state == TaskState.TASK_STATE_RUNNING
                    || (state == TaskState.TASK_STATE_STARTING && ctl.exists());
            return TaskStatus.newBuilder()
                    .setState(started ? TaskState.TASK_STATE_FAILED : TaskState.TASK_STATE_REJECTED)
                    .setMessage(started ? "failed" : "rejected")
                    .setErr(e.getMessage())
                    .setTimestampMs(clock.getAsLong())
                    .build();
        }
    }

    /** Kills an unhealthy container (as Docker does) and fails its task with the reason. */
    private TaskStatus unhealthy(Controller ctl, Health.Report health) throws ExecException, InterruptedException {
        ExitStatus e = ctl.shutdown("SIGKILL", Duration.ZERO);
        return TaskStatus.newBuilder().setState(TaskState.TASK_STATE_FAILED).setMessage("unhealthy")
                .setErr(health.detail()).setExitCode(e.code()).setHasExitCode(true)
                .setTimestampMs(clock.getAsLong()).build();
    }

    private TaskStatus ended(ExitStatus e) {
        return status(e.success() ? TaskState.TASK_STATE_COMPLETE : TaskState.TASK_STATE_FAILED,
                e.success() ? "finished" : "failed", e);
    }

    private TaskStatus status(TaskState s, String message, ExitStatus exit) {
        TaskStatus.Builder b = TaskStatus.newBuilder().setState(s).setMessage(message).setTimestampMs(clock.getAsLong());
        if (exit != null) {
            b.setExitCode(exit.code()).setHasExitCode(true).setErr(s == TaskState.TASK_STATE_FAILED ? exit.describe() : "");
        }
        return b.build();
    }

    static String stopSignal(Task t) {
        String s = t.getSpec().getContainer().getStopSignal();
        return s.isEmpty() ? "SIGTERM" : s;
    }

    static Duration grace(Task t) {
        var c = t.getSpec().getContainer();
        return c.getHasStopGracePeriod() ? Duration.ofMillis(c.getStopGracePeriodMs()) : Duration.ofSeconds(10);
    }
}
