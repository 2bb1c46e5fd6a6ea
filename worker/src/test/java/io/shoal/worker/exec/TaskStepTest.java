package io.shoal.worker.exec;

import io.shoal.api.ContainerSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskStepTest {
    /** A controller that records calls and fails or exits as scripted. */
    static final class Scripted implements Controller {
        final List<String> calls = new ArrayList<>();
        String failOn = "";
        ExitStatus exit;
        boolean started;
        /** created and never started: what a worker stopped between the runtime's create and start leaves */
        boolean created;

        private void call(String what) throws ExecException {
            calls.add(what);
            if (failOn.equals(what)) {
                throw new ExecException(what + " went wrong");
            }
        }

        @Override public void prepare() throws ExecException { call("prepare"); }
        @Override public void start() throws ExecException { call("start"); started = true; }
        @Override public Optional<ExitStatus> exitStatus() { return Optional.ofNullable(exit); }
        @Override public Optional<ExitStatus> waitExit(Duration t) { return Optional.ofNullable(exit); }
        @Override public ExitStatus shutdown(String signal, Duration grace) throws ExecException {
            call("shutdown " + signal + " " + grace.toMillis());
            return new ExitStatus(143);
        }
        @Override public void remove() throws ExecException { call("remove"); }
        @Override public boolean exists() { return started || created; }
        @Override public boolean awaitingStart() { return created && !started && exit == null; }
    }

    private final TaskStep step = new TaskStep(() -> 7);

    private static Task task(TaskState state, TaskState desired) {
        return Task.newBuilder().setId("t1").setDesiredState(desired)
                .setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    private List<TaskState> runToRest(Task t, Scripted c) throws InterruptedException {
        List<TaskState> seen = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            TaskStatus next = step.step(t, c);
            if (next.equals(t.getStatus())) {
                break;
            }
            seen.add(next.getState());
            t = t.toBuilder().setStatus(next).build();
        }
        return seen;
    }

    @Test
    void movesOneStateAtATimeToRunningThenToTheExit() throws InterruptedException {
        Scripted c = new Scripted();
        List<TaskState> seen = runToRest(task(TaskState.TASK_STATE_ASSIGNED, TaskState.TASK_STATE_RUNNING), c);
        assertEquals(List.of(TaskState.TASK_STATE_ACCEPTED, TaskState.TASK_STATE_PREPARING, TaskState.TASK_STATE_READY,
                TaskState.TASK_STATE_STARTING, TaskState.TASK_STATE_RUNNING), seen);
        assertEquals(List.of("prepare", "start"), c.calls);
        c.exit = new ExitStatus(3);
        TaskStatus failed = step.step(task(TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_RUNNING), c);
        assertEquals(TaskState.TASK_STATE_FAILED, failed.getState());
        assertEquals("task: non-zero exit (3)", failed.getErr());
        assertEquals(3, failed.getExitCode());
        c.exit = new ExitStatus(0);
        assertEquals(TaskState.TASK_STATE_COMPLETE, step.step(task(TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_RUNNING), c).getState());
    }

    @Test
    void aTaskWantedOnlyReadyIsPreparedAndHeldUntilItIsWantedRunning() throws InterruptedException {
        Scripted c = new Scripted();
        List<TaskState> seen = runToRest(task(TaskState.TASK_STATE_ASSIGNED, TaskState.TASK_STATE_READY), c);
        assertEquals(List.of(TaskState.TASK_STATE_ACCEPTED, TaskState.TASK_STATE_PREPARING, TaskState.TASK_STATE_READY), seen);
        assertEquals(List.of("prepare"), c.calls, "prepared, not started");
        assertEquals(List.of(TaskState.TASK_STATE_STARTING, TaskState.TASK_STATE_RUNNING),
                runToRest(task(TaskState.TASK_STATE_READY, TaskState.TASK_STATE_RUNNING), c));
        assertEquals(List.of("prepare", "start"), c.calls);
    }

    @Test
    void aFailureBeforeTheProcessStartsIsARejection() throws InterruptedException {
        Scripted c = new Scripted();
        c.failOn = "prepare";
        TaskStatus s = step.step(task(TaskState.TASK_STATE_PREPARING, TaskState.TASK_STATE_RUNNING), c);
        assertEquals(TaskState.TASK_STATE_REJECTED, s.getState());
        assertEquals("prepare went wrong", s.getErr());
    }

    @Test
    void shutdownUsesTheStopSignalAndGrace() throws InterruptedException {
        Scripted c = new Scripted();
        Task t = task(TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_SHUTDOWN).toBuilder()
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder()
                        .setStopSignal("SIGINT").setStopGracePeriodMs(1500).setHasStopGracePeriod(true))).build();
        TaskStatus s = step.step(t, c);
        assertEquals(TaskState.TASK_STATE_SHUTDOWN, s.getState());
        assertEquals(List.of("shutdown SIGINT 1500"), c.calls);
        // not started yet: nothing to stop
        assertEquals(TaskState.TASK_STATE_SHUTDOWN, step.step(task(TaskState.TASK_STATE_READY, TaskState.TASK_STATE_SHUTDOWN), new Scripted()).getState());
    }

    @Test
    void finishedTasksNeverMove() throws InterruptedException {
        Scripted c = new Scripted();
        for (TaskState s : List.of(TaskState.TASK_STATE_COMPLETE, TaskState.TASK_STATE_FAILED, TaskState.TASK_STATE_SHUTDOWN, TaskState.TASK_STATE_REJECTED)) {
            Task t = task(s, TaskState.TASK_STATE_RUNNING);
            assertEquals(t.getStatus(), step.step(t, c));
        }
        assertTrue(c.calls.isEmpty());
    }

    @Test
    void aCheckedTaskIsRunningOnlyOnceHealthyAndAnUnhealthyOneIsKilled() throws InterruptedException {
        Scripted c = new Scripted();
        Task starting = task(TaskState.TASK_STATE_STARTING, TaskState.TASK_STATE_RUNNING);
        TaskStatus waiting = step.step(starting, c, Health.Report.STARTING);
        assertEquals(TaskState.TASK_STATE_STARTING, waiting.getState());
        assertEquals(TaskStep.WAITING_FOR_HEALTH, waiting.getMessage());
        assertEquals(List.of("start"), c.calls);
        // still waiting: no change, and the container is not started twice
        Task waitingTask = starting.toBuilder().setStatus(waiting).build();
        assertEquals(waiting, step.step(waitingTask, c, Health.Report.STARTING));
        assertEquals(List.of("start"), c.calls);
        TaskStatus healthy = step.step(waitingTask, c, new Health.Report(Health.Status.HEALTHY, ""));
        assertEquals(TaskState.TASK_STATE_RUNNING, healthy.getState());

        Task running = task(TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_RUNNING);
        TaskStatus sick = step.step(running, c, new Health.Report(Health.Status.UNHEALTHY, "unhealthy container: 3 health checks failed"));
        assertEquals(TaskState.TASK_STATE_FAILED, sick.getState());
        assertEquals("unhealthy container: 3 health checks failed", sick.getErr());
        assertEquals(List.of("start", "shutdown SIGKILL 0"), c.calls);
    }

    @Test
    void aContainerThatNeverBecomesHealthyFailsWhileStarting() throws InterruptedException {
        Scripted c = new Scripted();
        c.started = true;
        Task waiting = task(TaskState.TASK_STATE_STARTING, TaskState.TASK_STATE_RUNNING);
        TaskStatus s = step.step(waiting, c, new Health.Report(Health.Status.UNHEALTHY, "unhealthy container"));
        assertEquals(TaskState.TASK_STATE_FAILED, s.getState());
        // it exited on its own before it was healthy: its exit code is the outcome
        c.calls.clear();
        c.exit = new ExitStatus(2);
        assertEquals(TaskState.TASK_STATE_FAILED, step.step(waiting, c, Health.Report.STARTING).getState());
        assertTrue(c.calls.isEmpty(), c.calls.toString());
    }

    @Test
    void aRestartedWorkerStartsAContainerItFindsCreatedButNeverStarted() throws InterruptedException {
        // the managers may have recorded any of these before the worker stopped between create and start
        for (TaskState recorded : List.of(TaskState.TASK_STATE_READY, TaskState.TASK_STATE_STARTING)) {
            Scripted c = new Scripted();
            c.created = true;
            List<TaskState> seen = runToRest(task(recorded, TaskState.TASK_STATE_RUNNING), c);
            assertEquals(TaskState.TASK_STATE_RUNNING, seen.getLast(), recorded + ": " + seen);
            assertEquals(List.of("start"), c.calls, recorded + ": started before it is reported running");
        }
        // reported RUNNING by a release that adopted it without starting it: started now, still RUNNING
        Scripted c = new Scripted();
        c.created = true;
        Task running = task(TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_RUNNING);
        assertEquals(running.getStatus(), step.step(running, c));
        assertEquals(List.of("start"), c.calls);
        assertEquals(running.getStatus(), step.step(running, c));
        assertEquals(List.of("start"), c.calls, "once");
        // one that exited before it was started (its init killed) reports its exit, not a start
        Scripted gone = new Scripted();
        gone.created = true;
        gone.exit = new ExitStatus(137);
        assertEquals(TaskState.TASK_STATE_FAILED, step.step(task(TaskState.TASK_STATE_STARTING, TaskState.TASK_STATE_RUNNING), gone).getState());
        assertTrue(gone.calls.isEmpty(), gone.calls.toString());
    }

    @Test
    void aRestartedWorkerDoesNotStartAnExistingContainerAgain() throws InterruptedException {
        Scripted c = new Scripted();
        c.started = true; // conmon kept it while the worker was away
        TaskStatus s = step.step(task(TaskState.TASK_STATE_STARTING, TaskState.TASK_STATE_RUNNING), c);
        assertEquals(TaskState.TASK_STATE_RUNNING, s.getState());
        assertTrue(c.calls.isEmpty(), c.calls.toString());
    }
}
