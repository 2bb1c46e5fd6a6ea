package io.shoal.manager.orchestrator.restart;

import io.shoal.api.RestartPolicy;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restart policy's arithmetic on a fake clock: conditions, max attempts, the window over the replicated history, the delay. */
class RestartsTest {
    private static Service service(RestartPolicy.Condition c, long maxAttempts, long windowMs) {
        return Service.newBuilder().setSpec(ServiceSpec.newBuilder().setTask(TaskSpec.newBuilder().setRestart(
                RestartPolicy.newBuilder().setCondition(c).setMaxAttempts(maxAttempts).setWindowMs(windowMs)))).build();
    }

    private static Task ended(TaskState state, Long... restarts) {
        return Task.newBuilder().setStatus(TaskStatus.newBuilder().setState(state)).addAllRestartsMs(List.of(restarts)).build();
    }

    @Test
    void conditionsDecideWhichEndsAreRestarted() {
        Service none = service(RestartPolicy.Condition.NONE, 0, 0);
        Service onFailure = service(RestartPolicy.Condition.ON_FAILURE, 0, 0);
        Service any = service(RestartPolicy.Condition.ANY, 0, 0);
        assertFalse(Restarts.mayRestart(none, ended(TaskState.TASK_STATE_FAILED), 0));
        assertTrue(Restarts.mayRestart(onFailure, ended(TaskState.TASK_STATE_FAILED), 0));
        assertFalse(Restarts.mayRestart(onFailure, ended(TaskState.TASK_STATE_COMPLETE), 0));
        assertTrue(Restarts.mayRestart(any, ended(TaskState.TASK_STATE_COMPLETE), 0));
    }

    @Test
    void maxAttemptsCountTheSlotsRecordedRestarts() {
        Service two = service(RestartPolicy.Condition.ANY, 2, 0);
        assertTrue(Restarts.mayRestart(two, ended(TaskState.TASK_STATE_FAILED), 10_000));
        assertTrue(Restarts.mayRestart(two, ended(TaskState.TASK_STATE_FAILED, 1_000L), 10_000));
        assertFalse(Restarts.mayRestart(two, ended(TaskState.TASK_STATE_FAILED, 1_000L, 2_000L), 10_000));
    }

    @Test
    void onlyRestartsWithinTheWindowCount() {
        Service twoPerMinute = service(RestartPolicy.Condition.ANY, 2, 60_000);
        Task twoRecent = ended(TaskState.TASK_STATE_FAILED, 50_000L, 90_000L);
        assertFalse(Restarts.mayRestart(twoPerMinute, twoRecent, 100_000));
        // a minute after the first of them, only one counts any more
        assertTrue(Restarts.mayRestart(twoPerMinute, twoRecent, 110_001));
        assertEquals(List.of(90_000L), Restarts.history(twoPerMinute, twoRecent, 110_001));
    }

    @Test
    void aReplacementComesAfterTheDelayWithTheRestartRecorded() {
        Service s = Service.newBuilder().setSpec(ServiceSpec.newBuilder().setTask(TaskSpec.newBuilder().setRestart(
                RestartPolicy.newBuilder().setDelayMs(2_000).setDelaySet(true)))).build();
        Task failed = Task.newBuilder().setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_FAILED).setTimestampMs(10_000))
                .addRestartsMs(1_000).build();
        assertEquals(new Restarts.Decision.Later(12_000), Restarts.decide(s, failed, 11_999));
        assertEquals(new Restarts.Decision.Now(List.of(1_000L, 12_000L)), Restarts.decide(s, failed, 12_000));
        Service unset = service(RestartPolicy.Condition.ANY, 0, 0);
        assertEquals(Restarts.DEFAULT_DELAY_MS, Restarts.delayMs(unset), "swarm's default delay when none is given");
        assertEquals(new Restarts.Decision.Never(), Restarts.decide(service(RestartPolicy.Condition.NONE, 0, 0), failed, 20_000));
    }
}
