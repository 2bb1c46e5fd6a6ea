package io.shoal.worker.agent;

import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's decision to stop a task for having been cut off from every manager, on a fake clock. */
class DisconnectionTest {
    final AtomicLong nanos = new AtomicLong(5_000_000_000L);
    final Disconnection d = new Disconnection(nanos::get);

    private void advanceMs(long ms) {
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    private static Task task(long afterMs, TaskState state) {
        return Task.newBuilder().setId("t").setSpec(TaskSpec.newBuilder().setStopAfterDisconnectMs(afterMs))
                .setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    @Test
    void aTaskStopsOnceNoManagerAnsweredForItsLimitAndNotBefore() {
        Task t = task(3_000, TaskState.TASK_STATE_RUNNING);
        advanceMs(2_999);
        assertFalse(d.stopDue(t), "short of the limit");
        advanceMs(1);
        assertTrue(d.stopDue(t), "at the limit");
        assertEquals(3_000, d.silentMs());
    }

    @Test
    void anAnswerFromAnyManagerStartsTheCountAgain() {
        Task t = task(3_000, TaskState.TASK_STATE_RUNNING);
        advanceMs(2_500);
        d.heard();
        advanceMs(2_500);
        assertFalse(d.stopDue(t), "2.5 s since the last answer");
        advanceMs(500);
        assertTrue(d.stopDue(t));
    }

    @Test
    void neverByDefaultAndNothingToStopOnceFinished() {
        advanceMs(TimeUnit.DAYS.toMillis(1));
        assertFalse(d.stopDue(task(0, TaskState.TASK_STATE_RUNNING)), "0 means never, as swarm");
        assertFalse(d.stopDue(task(1_000, TaskState.TASK_STATE_SHUTDOWN)), "already stopped");
        assertFalse(d.stopDue(task(1_000, TaskState.TASK_STATE_FAILED)));
        assertTrue(d.stopDue(task(1_000, TaskState.TASK_STATE_PREPARING)), "not started yet: it must not start either");
    }
}
