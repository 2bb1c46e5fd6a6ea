package io.shoal.worker.agent;

import com.google.protobuf.ByteString;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.ContainerSpec;
import io.shoal.api.HealthConfig;
import io.shoal.api.Secret;
import io.shoal.api.SecretReference;
import io.shoal.api.SecretSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.worker.Await;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.Dependencies;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.Executor;
import io.shoal.worker.exec.ExitStatus;
import io.shoal.worker.exec.Health;
import io.shoal.worker.exec.TaskStep;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent's task handling over a fake executor: adoption after a restart, cleanup of leftovers, health. */
class TaskManagerTest {
    /** Containers "on the host", by task id; each records what was done to it. */
    static final class FakeHost implements Executor {
        final Map<String, Fake> containers = new ConcurrentHashMap<>();

        Fake existing(String id) {
            Fake f = new Fake(id);
            f.created.set(true);
            containers.put(id, f);
            return f;
        }

        @Override
        public Controller controller(Task task) {
            return containers.computeIfAbsent(task.getId(), Fake::new);
        }

        @Override
        public Controller controller(Task task, Dependencies deps) {
            Fake f = (Fake) controller(task);
            f.deps = deps;
            return f;
        }

        @Override
        public List<String> existingTaskIds() {
            return containers.values().stream().filter(f -> f.created.get()).map(f -> f.id).sorted().toList();
        }
    }

    static final class Fake implements Controller {
        final String id;
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicBoolean created = new AtomicBoolean();
        /** created and never started (the worker stopped between the two) */
        final AtomicBoolean awaitingStart = new AtomicBoolean();
        volatile ExitStatus exit;
        volatile int probeExit = 0;
        volatile Dependencies deps;

        Fake(String id) {
            this.id = id;
        }

        @Override public void prepare() { calls.add("prepare"); }
        @Override public void start() { calls.add("start"); created.set(true); awaitingStart.set(false); }
        @Override public Optional<ExitStatus> exitStatus() { return Optional.ofNullable(exit); }
        @Override public Optional<ExitStatus> waitExit(Duration t) throws InterruptedException {
            Thread.sleep(Math.min(t.toMillis(), 20));
            return Optional.ofNullable(exit);
        }
        @Override public ExitStatus shutdown(String signal, Duration grace) {
            calls.add("shutdown " + signal);
            exit = new ExitStatus(137);
            return exit;
        }
        @Override public void remove() { calls.add("remove"); created.set(false); }
        @Override public void afterExit() { calls.add("afterExit"); }
        @Override public boolean exists() { return created.get(); }
        @Override public boolean awaitingStart() { return awaitingStart.get() && exit == null; }
        @Override public Health.Probe probe(List<String> command, Duration timeout) {
            calls.add("probe");
            return new Health.Probe(probeExit, "probe said " + probeExit);
        }
    }

    final FakeHost host = new FakeHost();
    final AtomicLong now = new AtomicLong(1_000);
    /** How often the task manager has read its clock: a probe's result is recorded with the first read after the probe. */
    final AtomicLong clockReads = new AtomicLong();
    final TaskManager tasks = new TaskManager(host, new TaskStep(now::get), () -> {
        clockReads.incrementAndGet();
        return now.get();
    });
    final Map<String, TaskStatus> reported = new ConcurrentHashMap<>();

    TaskManagerTest() {
        tasks.setReporter(updates -> {
            for (TaskStatusUpdate u : updates) {
                reported.put(u.getTaskId(), u.getStatus());
            }
        });
    }

    @AfterEach
    void close() {
        tasks.close();
    }

    private static Task task(String id, TaskState state, ContainerSpec c) {
        return Task.newBuilder().setId(id).setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setSpec(TaskSpec.newBuilder().setContainer(c))
                .setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    /**
     * Waits for the Nth probe and for its result to be recorded: the time the test moves on after
     * it must count from the probe, as it would if the clock moved on while the probe was being
     * recorded (the next probe would be due a whole interval later than the test expects).
     */
    private void awaitProbe(Fake c, int n) throws InterruptedException {
        await("probe " + n + " ran", () -> c.calls.stream().filter("probe"::equals).count() == n);
        awaitClockRead("probe " + n + " recorded");
    }

    /** Waits until the task manager reads its clock again (what it does next has then been timed). */
    private void awaitClockRead(String what) throws InterruptedException {
        long reads = clockReads.get();
        await(what, () -> clockReads.get() > reads);
    }

    private static void await(String what, BooleanSupplier cond) throws InterruptedException {
        Await.until(what, cond);
    }

    private TaskState reportedState(String id) {
        TaskStatus s = reported.get(id);
        return s == null ? null : s.getState();
    }

    @Test
    void aWorkerCutOffFromEveryManagerStopsTheTasksThatAskForItAndReportsThemLater() throws Exception {
        AtomicLong nanos = new AtomicLong();
        Disconnection cutOff = new Disconnection(nanos::get);
        TaskManager local = new TaskManager(host, new TaskStep(now::get), now::get, cutOff);
        List<TaskStatusUpdate> sent = new CopyOnWriteArrayList<>();
        AtomicBoolean reachable = new AtomicBoolean(true);
        local.setReporter(updates -> {
            if (!reachable.get()) {
                throw new IllegalStateException("no manager");
            }
            sent.addAll(updates);
        });
        try {
            Task stops = task("stops", TaskState.TASK_STATE_ASSIGNED, ContainerSpec.getDefaultInstance()).toBuilder()
                    .setSpec(TaskSpec.newBuilder().setStopAfterDisconnectMs(3_000)).build();
            Task stays = task("stays", TaskState.TASK_STATE_ASSIGNED, ContainerSpec.getDefaultInstance());
            local.assign(List.of(stops, stays));
            await("both run", () -> sent.stream().filter(u -> u.getStatus().getState() == TaskState.TASK_STATE_RUNNING).count() == 2);

            reachable.set(false);
            nanos.addAndGet(Duration.ofMillis(2_999).toNanos());
            Thread.sleep(1_500); // the runners look again (every second at most): short of the limit, nothing stops
            assertFalse(host.containers.get("stops").calls.contains("shutdown SIGTERM"), host.containers.get("stops").calls.toString());
            nanos.addAndGet(Duration.ofMillis(1).toNanos());
            await("the task that asks for it is stopped", () -> host.containers.get("stops").calls.contains("shutdown SIGTERM"));
            assertFalse(host.containers.get("stops").calls.contains("remove"), "stopped, not removed");
            assertFalse(host.containers.get("stays").calls.contains("shutdown SIGTERM"), "0 means never");

            reachable.set(true);
            cutOff.heard();
            await("its stop is reported once a manager answers", () -> sent.stream()
                    .anyMatch(u -> u.getTaskId().equals("stops") && u.getStatus().getState() == TaskState.TASK_STATE_SHUTDOWN));
            TaskStatus s = sent.stream().filter(u -> u.getTaskId().equals("stops")).reduce((a, b) -> b).orElseThrow().getStatus();
            assertTrue(s.getMessage().contains("stop-tasks-after-disconnect"), s.getMessage());
            local.assign(List.of(stops, stays)); // the managers still want it running: a stopped task stays stopped
            Thread.sleep(300);
            assertEquals(1, host.containers.get("stops").calls.stream().filter("start"::equals).count(), "not started again");
        } finally {
            local.close();
        }
    }

    @Test
    void aRestartedWorkerAdoptsItsContainersAndRemovesTheOnesNoLongerAssigned() throws Exception {
        Fake kept = host.existing("kept");
        Fake orphan = host.existing("orphan");
        Fake exitedWhileAway = host.existing("exited");
        exitedWhileAway.exit = new ExitStatus(3);
        tasks.assign(List.of(task("kept", TaskState.TASK_STATE_RUNNING, ContainerSpec.getDefaultInstance()),
                task("exited", TaskState.TASK_STATE_RUNNING, ContainerSpec.getDefaultInstance())));

        await("the orphan is removed", () -> orphan.calls.contains("remove"));
        assertEquals(List.of("shutdown SIGTERM", "remove"), orphan.calls);
        await("the exit while away is reported", () -> reportedState("exited") == TaskState.TASK_STATE_FAILED);
        assertEquals(3, reported.get("exited").getExitCode());
        assertTrue(kept.calls.isEmpty(), "the running container is only watched: " + kept.calls);
        assertFalse(reported.containsKey("kept"), "nothing changed for it");
        assertFalse(reported.containsKey("orphan"));
    }

    @Test
    void aRestartedWorkerStartsTheContainerItCreatedAndNeverStarted() throws Exception {
        Fake created = host.existing("created");
        created.awaitingStart.set(true); // the worker stopped between the runtime's create and the start
        Fake started = host.existing("started");
        tasks.assign(List.of(task("created", TaskState.TASK_STATE_STARTING, ContainerSpec.getDefaultInstance()),
                task("started", TaskState.TASK_STATE_STARTING, ContainerSpec.getDefaultInstance())));

        await("both are reported running", () -> reportedState("created") == TaskState.TASK_STATE_RUNNING
                && reportedState("started") == TaskState.TASK_STATE_RUNNING);
        assertEquals(List.of("start"), created.calls, "started once, before it is reported running");
        assertFalse(created.awaitingStart.get());
        assertTrue(started.calls.isEmpty(), "a started container is not started twice: " + started.calls);
    }

    @Test
    void aCheckedTaskRunsOnceHealthyAndIsFailedWhenItTurnsUnhealthy() throws Exception {
        ContainerSpec checked = ContainerSpec.newBuilder().setHealthcheck(HealthConfig.newBuilder()
                .addTest("CMD").addTest("check").setIntervalMs(1000).setRetries(2)).build();
        Fake c = (Fake) host.controller(Task.newBuilder().setId("web").build());
        c.probeExit = 1;
        tasks.assign(List.of(task("web", TaskState.TASK_STATE_ASSIGNED, checked)));
        await("it waits for its health", () -> reported.containsKey("web")
                && reported.get("web").getMessage().equals("started, waiting for the health check to pass"));
        assertEquals(TaskState.TASK_STATE_STARTING, reportedState("web"));
        awaitClockRead("the check's interval began"); // the first probe is due an interval after it
        now.addAndGet(1000);
        awaitProbe(c, 1);
        assertEquals(TaskState.TASK_STATE_STARTING, reportedState("web"), "one failure is not enough");
        c.probeExit = 0;
        now.addAndGet(1000);
        await("it is running once healthy", () -> reportedState("web") == TaskState.TASK_STATE_RUNNING);

        c.probeExit = 7;
        now.addAndGet(1000);
        awaitProbe(c, 3);
        assertEquals(TaskState.TASK_STATE_RUNNING, reportedState("web"));
        now.addAndGet(1000);
        await("it is failed as unhealthy", () -> reportedState("web") == TaskState.TASK_STATE_FAILED);
        assertTrue(reported.get("web").getErr().startsWith("unhealthy container: 2 health checks failed in a row (probe exit 7"),
                reported.get("web").getErr());
        assertTrue(c.calls.contains("shutdown SIGKILL"), c.calls.toString());
    }

    @Test
    void aTaskReadsOnlyItsOwnSecretsAndLetsThemGoOnceItHasExited() throws Exception {
        tasks.dependencies().apply(AssignmentsMessage.newBuilder().setFull(true)
                .addSecrets(Secret.newBuilder().setId("s1").setSpec(SecretSpec.newBuilder().setData(ByteString.copyFromUtf8("v1"))))
                .addSecrets(Secret.newBuilder().setId("s2")).build());
        ContainerSpec reads = ContainerSpec.newBuilder().addSecrets(SecretReference.newBuilder().setSecretId("s1")).build();
        tasks.assign(List.of(task("db", TaskState.TASK_STATE_ASSIGNED, reads)));
        await("it runs", () -> reportedState("db") == TaskState.TASK_STATE_RUNNING);
        Fake c = host.containers.get("db");
        assertEquals("v1", c.deps.secret("s1").orElseThrow().getSpec().getData().toStringUtf8());
        assertTrue(c.deps.secret("s2").isEmpty(), "not its own");
        assertFalse(c.calls.contains("afterExit"), "not while it runs");
        c.exit = new ExitStatus(0);
        await("it completed", () -> reportedState("db") == TaskState.TASK_STATE_COMPLETE);
        await("its files were let go", () -> c.calls.contains("afterExit"));
        assertEquals(1, c.calls.stream().filter("afterExit"::equals).count(), c.calls.toString());
        assertFalse(c.calls.contains("remove"), "the container stays until its task goes");
    }
}
