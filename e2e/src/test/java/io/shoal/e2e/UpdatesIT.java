package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rolling updates and rollbacks with real containers: a lab of three managers (each also runs
 * tasks), the lab's registry with busybox:latest and busybox:v2. The service's tasks stop at once
 * on SIGTERM (a shell that traps it), so the updates' pace is the orchestration's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpdatesIT {
    private static final Duration DONE = Duration.ofSeconds(120);
    /** A task that runs until it is told to stop, and then stops at once. */
    private static final String RUN = "trap 'exit 0' TERM; sleep 3600 & wait";
    private static Lab lab;
    private static String image;
    private static String v2;
    private static final Map<String, ManagedChannel> CHANNELS = new ConcurrentHashMap<>();

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-updates");
        lab.close();
        Lab.Result r = lab.up(3, 0, "10.213.31");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
        v2 = image.replace(":latest", ":v2");
    }

    @AfterAll
    static void down() {
        CHANNELS.values().forEach(ManagedChannel::shutdownNow);
        if (lab != null) {
            lab.close();
        }
    }

    /** The Control API on a host's socket: what `service inspect` and `service ps` show, read fast enough to sample an update. */
    private static <T> T control(String host, Function<ControlGrpc.ControlBlockingStub, T> call) {
        ManagedChannel ch = CHANNELS.computeIfAbsent(host, h -> FailoverBench.unix(lab.hostDir(h).resolve("shoal.sock")));
        return call.apply(ControlGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS));
    }

    private static Service service(String host, String name) {
        return control(host, c -> c.getService(GetServiceRequest.newBuilder().setService(name).build()));
    }

    private static List<Task> tasks(String host, String name) {
        return control(host, c -> c.listTasks(ListTasksRequest.newBuilder().setService(name).build()).getTasksList());
    }

    private static boolean running(Task t) {
        return t.getDesiredState() == TaskState.TASK_STATE_RUNNING && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING;
    }

    /** Live tasks (meant to run, not finished) by slot. */
    private static Map<Long, List<Task>> live(List<Task> tasks) {
        Map<Long, List<Task>> out = new HashMap<>();
        for (Task t : tasks) {
            if (t.getDesiredState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE
                    && t.getStatus().getState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE) {
                out.computeIfAbsent(t.getSlot(), k -> new ArrayList<>()).add(t);
            }
        }
        return out;
    }

    /** Slots being replaced: two tasks serve the slot, or an update's new task does not run yet. */
    private static long inReplacement(List<Task> tasks) {
        return live(tasks).values().stream().filter(slot -> slot.size() > 1
                || slot.stream().anyMatch(t -> t.getUpdateMs() != 0 && t.getStatus().getState() != TaskState.TASK_STATE_RUNNING)).count();
    }

    /** The task's image as written, without the digest the CLI pinned it to. */
    private static String image(Task t) {
        return t.getSpec().getContainer().getImage().replaceFirst("@sha256:[0-9a-f]{64}$", "");
    }

    private static void awaitService(String host, String name, Predicate<Service> ok, String what) {
        long deadline = System.nanoTime() + DONE.toNanos();
        Service last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = service(host, name);
                if (ok.test(last)) {
                    return;
                }
            } catch (StatusRuntimeException e) {
                // while a new leader is elected, the managers' calls fail for a moment: ask again
            }
            sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what + "; last status: " + (last == null ? "none" : last.getUpdateStatus())
                + "\n--- " + host + " log:\n" + lab.log(host));
    }

    /** The host whose daemon leads, as `node ls` on {@code host} says. */
    private static String leader(String host) {
        Lab.Result r = lab.awaitCli(host, Duration.ofSeconds(30), x -> x.code() == 0 && x.out().contains("Leader"), "node", "ls");
        for (String line : r.out().lines().toList()) {
            for (String h : List.of("h1", "h2", "h3")) {
                if (line.contains("Leader") && line.matches(".*\\s" + h + "\\s.*")) {
                    return h;
                }
            }
        }
        throw new AssertionError("no leader: " + r.out());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Test
    @Order(1)
    void startFirstWithParallelismTwoNeverRunsFewerThanSixNorReplacesMoreThanTwoSlots() throws Exception {
        Lab.Result create = lab.cli("h1", "service", "create", "--name", "web", "--replicas", "6",
                "--update-parallelism", "2", "--update-delay", "2s", "--update-order", "start-first", "--update-monitor", "2s",
                image, "sh", "-c", RUN);
        assertEquals(0, create.code(), create.all());
        assertEquals(6, tasks("h1", "web").stream().filter(UpdatesIT::running).count());

        CompletableFuture<Lab.Result> update = CompletableFuture.supplyAsync(() -> lab.cli("h1", "service", "update", "--image", v2, "web"));
        long samples = 0;
        long psSamples = 0;
        long nextPs = 0;
        Set<Long> slotsSeenReplaced = new HashSet<>();
        while (!update.isDone()) {
            List<Task> tasks = tasks("h1", "web");
            long run = tasks.stream().filter(UpdatesIT::running).count();
            assertTrue(run >= 6, "only " + run + " tasks running during a start-first update: " + tasks);
            long replacing = inReplacement(tasks);
            assertTrue(replacing <= 2, replacing + " slots in replacement at once, parallelism 2: " + tasks);
            tasks.stream().filter(t -> t.getUpdateMs() != 0).forEach(t -> slotsSeenReplaced.add(t.getSlot()));
            samples++;
            if (System.nanoTime() > nextPs) { // what a user sees: `service ps`, now and then
                Lab.Result ps = lab.cli("h1", "service", "ps", "--filter", "desired-state=running", "--format", "json", "web");
                assertEquals(0, ps.code(), ps.all());
                long shownRunning = ps.out().split("\"CurrentState\" : \"Running", -1).length - 1;
                assertTrue(shownRunning >= 6, "service ps shows " + shownRunning + " running:\n" + ps.out());
                psSamples++;
                nextPs = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            }
            sleep(100);
        }
        Lab.Result r = update.get();
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("update: updating"), r.out());
        assertTrue(r.out().contains("overall progress: 6 out of 6 tasks"), r.out());
        assertTrue(r.out().contains("verify: service converged"), r.out());
        assertTrue(samples > 10 && psSamples > 1, samples + " samples, " + psSamples + " of service ps");
        assertEquals(6, slotsSeenReplaced.size(), "every slot was replaced");
        assertEquals(UpdateStatus.State.COMPLETED, service("h1", "web").getUpdateStatus().getState());
        List<Task> end = tasks("h1", "web");
        assertEquals(6, end.stream().filter(UpdatesIT::running).filter(t -> image(t).equals(v2)).count());
        assertTrue(lab.cli("h1", "service", "inspect", "web").out().toLowerCase().contains("completed"), "inspect shows the update's state");
    }

    @Test
    @Order(2)
    void aNewSpecWhoseTasksFailRollsBackToThePreviousOne() {
        Lab.Result r = lab.cli("h1", "service", "update", "--update-failure-action", "rollback", "--rollback-parallelism", "0",
                "--args", "sh -c 'exit 1'", "web");
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("Error: service rolled back: update rolled back due to failure or early termination of task"), r.err());
        Service s = service("h1", "web");
        assertEquals(UpdateStatus.State.ROLLBACK_COMPLETED, s.getUpdateStatus().getState());
        assertEquals(List.of("sh", "-c", RUN), s.getSpec().getTask().getContainer().getArgsList(), "back on the previous spec");
        awaitService("h1", "web", x -> live(tasks("h1", "web")).size() == 6 && tasks("h1", "web").stream().filter(UpdatesIT::running)
                .filter(t -> t.getSpec().getContainer().getArgsList().equals(List.of("sh", "-c", RUN))).count() == 6, "six tasks of the previous spec");
        assertTrue(lab.cli("h1", "service", "inspect", "web").out().toLowerCase().contains("rollback_completed"));
    }

    @Test
    @Order(3)
    void withPauseAFailingUpdatePausesAndTheNextUpdateResumes() {
        Lab.Result r = lab.cli("h1", "service", "update", "--update-failure-action", "pause", "--args", "sh -c 'exit 1'", "web");
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("Error: service update paused: update paused due to failure or early termination of task"), r.err());
        assertEquals(UpdateStatus.State.PAUSED, service("h1", "web").getUpdateStatus().getState());
        // it paused in its first batch (parallelism 2): the slots it did not reach still run the old spec (a
        // start-first slot whose new task was seen RUNNING before it failed had its old task stopped, as in swarm)
        List<Task> paused = tasks("h1", "web");
        assertTrue(paused.stream().filter(UpdatesIT::running).filter(t -> t.getSpec().getContainer().getArgsList()
                .equals(List.of("sh", "-c", RUN))).count() >= 4, "the slots the update did not reach serve on: " + paused);
        Lab.Result next = lab.cli("h1", "service", "update", "--args", "sh -c \"echo v3; " + RUN + "\"", "web");
        assertEquals(0, next.code(), next.all());
        assertEquals(UpdateStatus.State.COMPLETED, service("h1", "web").getUpdateStatus().getState());
        assertEquals(6, tasks("h1", "web").stream().filter(UpdatesIT::running)
                .filter(t -> t.getSpec().getContainer().getArgs(2).startsWith("echo v3")).count());
    }

    @Test
    @Order(4)
    void serviceRollbackReturnsToThePreviousSpec() {
        assertEquals(0, lab.cli("h1", "service", "update", "--env-add", "ROLLED=no", "web").code());
        Lab.Result r = lab.cli("h1", "service", "rollback", "web");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("update: rollback started (manually requested rollback)"), r.out());
        Service s = service("h1", "web");
        assertEquals(UpdateStatus.State.ROLLBACK_COMPLETED, s.getUpdateStatus().getState());
        assertEquals(List.of(), s.getSpec().getTask().getContainer().getEnvList(), "the spec before the last update");
        assertEquals(6, tasks("h1", "web").stream().filter(UpdatesIT::running)
                .filter(t -> t.getSpec().getContainer().getEnvList().isEmpty()).count());
        // a service that was never updated has nothing to roll back to: one line, nothing changes
        assertEquals(0, lab.cli("h1", "service", "create", "--detach", "--name", "fresh", image, "sh", "-c", RUN).code());
        long version = service("h1", "fresh").getMeta().getVersion();
        Lab.Result none = lab.cli("h1", "service", "rollback", "fresh");
        assertEquals(1, none.code(), none.all());
        assertTrue(none.err().startsWith("Error: ") && none.err().contains("has no previous spec"), none.err());
        assertEquals(version, service("h1", "fresh").getMeta().getVersion());
        assertEquals(0, lab.cli("h1", "service", "rm", "fresh").code());
    }

    @Test
    @Order(5)
    void forceReplacesEveryTaskAndEnvAddTwiceLeavesOneEntry() {
        Set<String> before = new HashSet<>();
        tasks("h1", "web").stream().filter(UpdatesIT::running).forEach(t -> before.add(t.getId()));
        Lab.Result force = lab.cli("h1", "service", "update", "--force", "--update-parallelism", "0", "web");
        assertEquals(0, force.code(), force.all());
        Set<String> after = new HashSet<>();
        tasks("h1", "web").stream().filter(UpdatesIT::running).forEach(t -> after.add(t.getId()));
        assertEquals(6, after.size());
        assertTrue(after.stream().noneMatch(before::contains), "every task replaced: " + before + " -> " + after);

        assertEquals(0, lab.cli("h1", "service", "update", "--env-add", "A=1", "web").code());
        Set<String> withA = new HashSet<>();
        tasks("h1", "web").stream().filter(UpdatesIT::running).forEach(t -> withA.add(t.getId()));
        Lab.Result again = lab.cli("h1", "service", "update", "--env-add", "A=1", "web");
        assertEquals(0, again.code(), again.all());
        assertEquals(List.of("A=1"), service("h1", "web").getSpec().getTask().getContainer().getEnvList(), "one A");
        Set<String> still = new HashSet<>();
        tasks("h1", "web").stream().filter(UpdatesIT::running).forEach(t -> still.add(t.getId()));
        assertEquals(withA, still, "adding what is there changes nothing: no task replaced");

        long version = service("h1", "web").getMeta().getVersion();
        Lab.Result rm = lab.cli("h1", "service", "update", "--mount-rm", "/nope", "web");
        assertEquals(2, rm.code(), rm.all());
        assertTrue(rm.err().startsWith("Error: --mount-rm: nothing is mounted at '/nope'"), rm.err());
        assertEquals(version, service("h1", "web").getMeta().getVersion(), "nothing changed");
    }

    @Test
    @Order(6)
    void anUpdateGoesOnAndCompletesWhenItsLeaderIsKilled() {
        Lab.Result start = lab.cli("h1", "service", "update", "--detach", "--update-parallelism", "1", "--update-delay", "1s",
                "--update-order", "stop-first", "--image", image, "web");
        assertEquals(0, start.code(), start.all());
        String leader = leader("h1");
        String survivor = leader.equals("h1") ? "h2" : "h1";
        awaitService(survivor, "web", s -> tasks(survivor, "web").stream().filter(t -> t.getUpdateMs() == s.getUpdateStatus().getStartedMs()
                && t.getUpdateMs() != 0 && running(t)).count() >= 2, "two slots updated");
        assertEquals(UpdateStatus.State.UPDATING, service(survivor, "web").getUpdateStatus().getState(), "not done yet");
        Lab.Result kill = lab.host("kill", leader);
        assertEquals(0, kill.code(), kill.all());
        try {
            awaitService(survivor, "web", s -> s.getUpdateStatus().getState() == UpdateStatus.State.COMPLETED, "the update to complete");
            // the killed manager's own tasks are replaced once its node is down, which may come after
            // the update completed: then the service converges on the new image
            awaitService(survivor, "web", s -> tasks(survivor, "web").stream().filter(UpdatesIT::running)
                    .filter(t -> image(t).equals(image)).count() == 6, "six tasks running the new image");
            assertNotEquals(leader, leader(survivor), "another manager leads");
        } finally {
            assertEquals(0, lab.host("start", leader).code());
        }
    }
}
