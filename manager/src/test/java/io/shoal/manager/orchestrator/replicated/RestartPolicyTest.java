package io.shoal.manager.orchestrator.replicated;

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

/** The restart policy's arithmetic: conditions, max attempts, and the window over the replicated history. */
class RestartPolicyTest {
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
        assertFalse(ReplicatedOrchestrator.mayRestart(none, ended(TaskState.TASK_STATE_FAILED), 0));
        assertTrue(ReplicatedOrchestrator.mayRestart(onFailure, ended(TaskState.TASK_STATE_FAILED), 0));
        assertFalse(ReplicatedOrchestrator.mayRestart(onFailure, ended(TaskState.TASK_STATE_COMPLETE), 0));
        assertTrue(ReplicatedOrchestrator.mayRestart(any, ended(TaskState.TASK_STATE_COMPLETE), 0));
    }

    @Test
    void maxAttemptsCountTheSlotsRecordedRestarts() {
        Service two = service(RestartPolicy.Condition.ANY, 2, 0);
        assertTrue(ReplicatedOrchestrator.mayRestart(two, ended(TaskState.TASK_STATE_FAILED), 10_000));
        assertTrue(ReplicatedOrchestrator.mayRestart(two, ended(TaskState.TASK_STATE_FAILED, 1_000L), 10_000));
        assertFalse(ReplicatedOrchestrator.mayRestart(two, ended(TaskState.TASK_STATE_FAILED, 1_000L, 2_000L), 10_000));
    }

    @Test
    void onlyRestartsWithinTheWindowCount() {
        Service twoPerMinute = service(RestartPolicy.Condition.ANY, 2, 60_000);
        Task twoRecent = ended(TaskState.TASK_STATE_FAILED, 50_000L, 90_000L);
        assertFalse(ReplicatedOrchestrator.mayRestart(twoPerMinute, twoRecent, 100_000));
        // a minute after the first of them, only one counts any more
        assertTrue(ReplicatedOrchestrator.mayRestart(twoPerMinute, twoRecent, 110_001));
        assertEquals(List.of(90_000L), ReplicatedOrchestrator.restartHistory(twoPerMinute, twoRecent, 110_001));
    }
}
