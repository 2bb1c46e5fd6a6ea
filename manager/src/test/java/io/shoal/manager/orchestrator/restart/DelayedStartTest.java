package io.shoal.manager.orchestrator.restart;

import io.shoal.api.ContainerSpec;
import io.shoal.api.Meta;
import io.shoal.api.Node;
import io.shoal.api.NodeStatus;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreAction;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A held task starts only once what it replaces has stopped, or cannot report that it did. */
class DelayedStartTest {
    private static final Map<String, Node> NODES = Map.of(
            "up", Node.newBuilder().setId("up").setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build(),
            "down", Node.newBuilder().setId("down").setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.DOWN)).build());

    private static Task task(String id, String node, TaskState state, TaskState desired, long updatedMs) {
        return Task.newBuilder().setId(id).setNodeId(node).setDesiredState(desired)
                .setSpec(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setStopGracePeriodMs(1_000).setHasStopGracePeriod(true)))
                .setMeta(Meta.newBuilder().setUpdatedMs(updatedMs))
                .setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    private static final Task HELD = task("new", "up", TaskState.TASK_STATE_READY, TaskState.TASK_STATE_READY, 0);

    private static List<String> started(List<StoreAction> actions) {
        actions.forEach(a -> assertEquals(TaskState.TASK_STATE_RUNNING, a.getObject().getTask().getDesiredState()));
        return actions.stream().map(a -> a.getObject().getTask().getId()).toList();
    }

    @Test
    void heldUntilTheOldTaskStopped() {
        Task stopping = task("old", "up", TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_SHUTDOWN, 1_000);
        assertTrue(DelayedStart.start(List.of(stopping, HELD), NODES, 2_000).isEmpty());
        Task stopped = task("old", "up", TaskState.TASK_STATE_SHUTDOWN, TaskState.TASK_STATE_SHUTDOWN, 2_500);
        assertEquals(List.of("new"), started(DelayedStart.start(List.of(stopped, HELD), NODES, 3_000)));
    }

    @Test
    void notHeldByATaskThatCannotReportItsStop() {
        Task onDownNode = task("old", "down", TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_SHUTDOWN, 1_000);
        assertEquals(List.of("new"), started(DelayedStart.start(List.of(onDownNode, HELD), NODES, 1_500)));
        Task onGoneNode = task("old", "gone", TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_SHUTDOWN, 1_000);
        assertEquals(List.of("new"), started(DelayedStart.start(List.of(onGoneNode, HELD), NODES, 1_500)));
        Task neverPlaced = task("old", "", TaskState.TASK_STATE_PENDING, TaskState.TASK_STATE_SHUTDOWN, 1_000);
        assertEquals(List.of("new"), started(DelayedStart.start(List.of(neverPlaced, HELD), NODES, 1_500)));
        // a worker that does not report the stop within its grace period and the margin is not waited for
        Task hung = task("old", "up", TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_SHUTDOWN, 1_000);
        assertTrue(DelayedStart.start(List.of(hung, HELD), NODES, 1_000 + 1_000 + DelayedStart.STOP_MARGIN_MS - 1).isEmpty());
        assertEquals(List.of("new"), started(DelayedStart.start(List.of(hung, HELD), NODES, 1_000 + 1_000 + DelayedStart.STOP_MARGIN_MS)));
    }

    @Test
    void onlyHeldTasksAreStarted() {
        Task running = task("new", "up", TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_RUNNING, 0);
        assertTrue(DelayedStart.start(List.of(running), NODES, 0).isEmpty());
    }
}
