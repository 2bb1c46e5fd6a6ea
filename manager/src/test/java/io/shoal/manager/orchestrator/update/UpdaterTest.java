package io.shoal.manager.orchestrator.update;

import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateConfig;
import io.shoal.api.UpdateStatus;
import io.shoal.manager.orchestrator.Tasks;
import io.shoal.manager.store.Batches;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The updater's decisions through the orchestrators, on a fake clock, with fake workers ({@link Rollout}). */
class UpdaterTest {
    private static UpdateConfig.Builder config(long parallelism) {
        return UpdateConfig.newBuilder().setParallelism(parallelism).setMonitorMs(1_000);
    }

    private static UnaryOperator<ServiceSpec.Builder> image(String image) {
        return b -> {
            b.getTaskBuilder().getContainerBuilder().setImage(image);
            return b;
        };
    }

    private static UnaryOperator<ServiceSpec.Builder> failing() {
        return b -> {
            b.getTaskBuilder().getContainerBuilder().setImage("bad").addEnv("FAIL=1");
            return b;
        };
    }

    /** Rounds until the service's update ends (or the rounds run out), checking {@code each} after every round. */
    private static void rollTo(Rollout r, String id, Runnable each) {
        for (int i = 0; i < 60 && (i == 0 || Updater.active(r.service(id))); i++) {
            r.round();
            each.run();
            r.now += 100;
        }
    }

    private static Rollout running(String id, long replicas, UpdateConfig.Builder update) {
        Rollout r = new Rollout(3);
        r.replicated(id, replicas, Rollout.spec("v1", update.build()));
        for (int i = 0; i < 5; i++) {
            r.round();
        }
        assertEquals(replicas, r.running(id));
        assertEquals(UpdateStatus.State.UNKNOWN, r.state(id), "a new service has no update");
        return r;
    }

    @Test
    void stopFirstReplacesTwoSlotsAtATimeAndStartsEachOnceItsOldTaskStopped() {
        Rollout r = running("web", 6, config(2));
        r.update("web", image("v2"));
        r.settle();
        Service s = r.service("web");
        assertEquals(UpdateStatus.State.UPDATING, s.getUpdateStatus().getState());
        assertEquals("update in progress", s.getUpdateStatus().getMessage());
        List<Task> fresh = r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0).toList();
        assertEquals(2, fresh.size(), "two slots at a time");
        fresh.forEach(t -> assertEquals(TaskState.TASK_STATE_READY, t.getDesiredState(), "held until the old task stopped"));
        assertEquals(4, r.running("web"), "the two old tasks are told to stop");
        rollTo(r, "web", () -> {
            assertTrue(r.inFlight("web") <= 2, "at most two slots in flight");
            r.live("web").forEach((slot, tasks) -> assertTrue(tasks.stream()
                    .filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).count() <= 1, "stop-first runs one task per slot"));
        });
        assertEquals(6, r.current("web"));
        assertEquals(6, r.running("web"));
        assertEquals(UpdateStatus.State.COMPLETED, r.state("web"));
        assertEquals("update completed", r.service("web").getUpdateStatus().getMessage());
        assertTrue(r.service("web").getUpdateStatus().getCompletedMs() >= r.service("web").getUpdateStatus().getStartedMs());
        assertEquals(6, r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0).count(), "each slot replaced once");
    }

    @Test
    void startFirstKeepsEveryReplicaRunningUntilItsReplacementRuns() {
        Rollout r = running("web", 4, config(2).setOrder(UpdateConfig.Order.START_FIRST));
        r.update("web", image("v2"));
        r.settle();
        assertEquals(4, r.running("web"), "the old tasks run on");
        assertEquals(6, r.live("web").values().stream().mapToLong(List::size).sum(), "two new tasks beside them");
        rollTo(r, "web", () -> {
            assertTrue(r.running("web") >= 4, "never fewer running tasks than replicas");
            assertTrue(r.inFlight("web") <= 2);
        });
        assertEquals(UpdateStatus.State.COMPLETED, r.state("web"));
        assertEquals(4, r.current("web"));
        assertEquals(4, r.live("web").values().stream().mapToLong(List::size).sum(), "the old tasks were stopped");
    }

    @Test
    void theDelayHoldsTheNextSlotUntilTheLastRanForThatLong() {
        Rollout r = running("web", 3, config(1).setDelayMs(10_000));
        r.update("web", image("v2"));
        for (int i = 0; i < 4; i++) {
            r.round(); // the first slot: stop, start, run
        }
        assertEquals(1, r.current("web"));
        r.now += 9_000;
        r.round();
        assertEquals(1, r.current("web"), "still within the delay");
        r.now += 1_000;
        r.settle();
        assertEquals(2, r.live("web").values().stream().flatMap(List::stream).filter(t -> t.getUpdateMs() != 0).count(),
                "the next slot goes once the first ran for the delay");
    }

    @Test
    void parallelismZeroReplacesEverySlotAtOnce() {
        Rollout r = running("web", 5, config(0));
        r.update("web", image("v2"));
        r.settle();
        assertEquals(5, r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0).count());
        rollTo(r, "web", () -> { });
        assertEquals(UpdateStatus.State.COMPLETED, r.state("web"));
    }

    @Test
    void aFailingNewSpecPausesTheUpdateUntilTheNextUpdateResumesIt() {
        Rollout r = running("web", 4, config(1));
        r.update("web", failing());
        rollTo(r, "web", () -> { });
        Service s = r.service("web");
        assertEquals(UpdateStatus.State.PAUSED, s.getUpdateStatus().getState());
        Task failed = r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0).findFirst().orElseThrow();
        assertEquals("update paused due to failure or early termination of task " + failed.getId(), s.getUpdateStatus().getMessage());
        for (int i = 0; i < 10; i++) {
            r.round();
            r.now += 2_000;
        }
        assertEquals(3, r.live("web").values().stream().flatMap(List::stream)
                .filter(t -> t.getSpec().getContainer().getImage().equals("v1")).count(), "a paused update starts no slot");
        assertEquals(UpdateStatus.State.PAUSED, r.state("web"));
        r.update("web", b -> image("v3").apply(b.setTask(b.getTaskBuilder().setContainer(b.getTaskBuilder().getContainerBuilder().clearEnv()))));
        rollTo(r, "web", () -> { });
        assertEquals(UpdateStatus.State.COMPLETED, r.state("web"));
        assertEquals(4, r.current("web"));
        assertEquals(4, r.running("web"));
    }

    @Test
    void theRollbackActionReturnsToThePreviousSpecWithTheRollbackConfig() {
        Rollout r = running("web", 4, config(1).setFailureAction(UpdateConfig.FailureAction.ROLLBACK));
        ServiceSpec before = r.service("web").getSpec();
        r.update("web", b -> failing().apply(b).setRollback(config(0)));
        for (int i = 0; i < 200 && r.state("web") != UpdateStatus.State.ROLLBACK_STARTED; i++) {
            if (i % 10 == 0) {
                r.work();
            }
            r.loops.pass(); // pass by pass, to see the rollback start
        }
        Service s = r.service("web");
        assertEquals(UpdateStatus.State.ROLLBACK_STARTED, s.getUpdateStatus().getState());
        assertTrue(s.getUpdateStatus().getMessage().startsWith("update rolled back due to failure or early termination of task "),
                s.getUpdateStatus().getMessage());
        assertEquals(before.getTask(), s.getSpec().getTask(), "back on the previous spec");
        assertFalse(s.hasPreviousSpec(), "an automatic rollback uses the previous spec up");
        rollTo(r, "web", () -> { });
        assertEquals(UpdateStatus.State.ROLLBACK_COMPLETED, r.state("web"));
        assertTrue(r.service("web").getUpdateStatus().getMessage().startsWith("rollback completed; update rolled back due to failure"),
                "it still says why: " + r.service("web").getUpdateStatus().getMessage());
        r.now += 2_000; // the slot whose new task failed is restarted after the restart delay, on the spec rolled back to
        r.round();
        r.round();
        for (List<Task> slot : r.live("web").values()) {
            assertEquals(1, slot.size());
            assertEquals("v1", slot.getFirst().getSpec().getContainer().getImage());
        }
        assertEquals(4, r.running("web"));
    }

    @Test
    void failuresUpToTheRatioAreToleratedAndTheNextOneAppliesTheAction() {
        Rollout r = running("web", 4, config(1).setMaxFailureRatio(0.5f));
        r.update("web", failing());
        Set<String> failedSeen = new HashSet<>();
        for (int i = 0; i < 60 && r.state("web") == UpdateStatus.State.UPDATING || i == 0; i++) {
            r.round();
            r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0 && Tasks.terminal(t)).forEach(t -> failedSeen.add(t.getId()));
            if (r.state("web") == UpdateStatus.State.UPDATING) {
                assertTrue(failedSeen.size() <= 2, "two failures of four slots are within the ratio");
            }
        }
        assertEquals(UpdateStatus.State.PAUSED, r.state("web"));
        assertEquals(3, failedSeen.size(), "the third failure is more than half the slots");
    }

    @Test
    void aTaskThatFailsAfterItsMonitorWindowIsNoFailureOfTheUpdate() {
        Rollout r = running("web", 2, config(1).setMonitorMs(5_000));
        r.stuck = t -> t.getUpdateMs() != 0 && t.getSlot() == 2; // the second slot's new task is slow to start
        r.update("web", image("v2"));
        for (int i = 0; i < 4; i++) {
            r.round();
        }
        Task first = r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0 && t.getSlot() == 1).findFirst().orElseThrow();
        assertEquals(TaskState.TASK_STATE_RUNNING, first.getStatus().getState());
        assertTrue(r.tasks("web").stream().anyMatch(t -> t.getUpdateMs() != 0 && t.getSlot() == 2), "the second slot is under way");
        r.now += 6_000;
        r.writer.update(tx -> List.of(Batches.status(first.getId(), first.getNodeId(),
                Tasks.status(TaskState.TASK_STATE_FAILED, "worker", r.now))));
        r.settle();
        assertEquals(UpdateStatus.State.UPDATING, r.state("web"), "it ran longer than the monitor");
        r.stuck = t -> false;
        rollTo(r, "web", () -> r.now += 1_000);
        assertEquals(UpdateStatus.State.COMPLETED, r.state("web"));
    }

    @Test
    void aSlotNotRunningByTheProgressDeadlineCountsAsAFailure() {
        UnaryOperator<ServiceSpec.Builder> huge = b -> {
            b.getTaskBuilder().setResources(ResourceRequirements.newBuilder().setReservations(Resources.newBuilder().setMemoryBytes(64L << 30)));
            return b;
        };
        Rollout none = running("web", 2, config(1));
        none.update("web", huge);
        for (int i = 0; i < 10; i++) {
            none.round();
            none.now += 60_000;
        }
        assertEquals(UpdateStatus.State.UPDATING, none.state("web"), "without a deadline a slot that cannot be placed holds the update");

        Rollout r = running("web", 2, config(1).setProgressDeadlineMs(30_000));
        r.update("web", huge);
        r.round();
        r.round();
        assertEquals(UpdateStatus.State.UPDATING, r.state("web"));
        r.now += 30_000;
        r.settle();
        assertEquals(UpdateStatus.State.PAUSED, r.state("web"));
        assertTrue(r.service("web").getUpdateStatus().getMessage().startsWith("update paused due to failure or early termination of task"));
    }

    @Test
    void aNewLeaderResumesTheUpdateWithoutRedoingSlots() {
        Rollout r = running("web", 6, config(2).setOrder(UpdateConfig.Order.START_FIRST));
        r.update("web", image("v2"));
        r.round();
        long replaced = r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0).count();
        assertTrue(replaced >= 2 && replaced < 6, "part of the way: " + replaced);
        r.loops = r.loops(); // the old leader's loops are gone; a new leader starts its own from the store
        r.now += 3_000;
        rollTo(r, "web", () -> assertTrue(r.inFlight("web") <= 2));
        assertEquals(UpdateStatus.State.COMPLETED, r.state("web"));
        assertEquals(6, r.tasks("web").stream().filter(t -> t.getUpdateMs() != 0).count(), "no slot replaced twice");
    }

    @Test
    void globalServicesUpdateNodeByNode() {
        Rollout r = new Rollout(3);
        r.global("agent", Rollout.spec("v1", config(1).setOrder(UpdateConfig.Order.START_FIRST).build()));
        for (int i = 0; i < 4; i++) {
            r.round();
        }
        assertEquals(3, r.running("agent"));
        r.update("agent", image("v2"));
        rollTo(r, "agent", () -> {
            assertTrue(r.inFlight("agent") <= 1);
            assertTrue(r.running("agent") >= 3);
        });
        assertEquals(UpdateStatus.State.COMPLETED, r.state("agent"));
        assertEquals(3, r.current("agent"));
        r.live("agent").values().forEach(tasks -> assertEquals(1, tasks.size(), "one task per node"));
    }
}
