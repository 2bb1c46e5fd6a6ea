package io.shoal.manager.dispatcher;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Meta;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssignmentsTest {
    private static Task task(String id, TaskState desired) {
        return Task.newBuilder().setId(id).setDesiredState(desired).build();
    }

    @Test
    void theFirstMessageIsFullThenOnlyChangesAreSent() {
        List<Task> first = List.of(task("a", TaskState.TASK_STATE_RUNNING), task("b", TaskState.TASK_STATE_RUNNING));
        AssignmentsMessage full = Assignments.next(null, first).build();
        assertTrue(full.getFull());
        assertEquals(2, full.getTasksCount());

        List<Task> second = List.of(task("a", TaskState.TASK_STATE_SHUTDOWN), task("c", TaskState.TASK_STATE_RUNNING));
        AssignmentsMessage diff = Assignments.next(Assignments.byId(first), second).build();
        assertEquals(false, diff.getFull());
        assertEquals(List.of("a", "c"), diff.getTasksList().stream().map(Task::getId).toList(), "changed a, new c");
        assertEquals(List.of("b"), diff.getRemovedList());

        assertNull(Assignments.next(Assignments.byId(second), second), "nothing changed, nothing sent");
    }

    private static Task with(Task t, TaskState state) {
        return t.toBuilder().setStatus(TaskStatus.newBuilder().setState(state))
                .setMeta(Meta.newBuilder().setVersion(t.getMeta().getVersion() + 1)).build();
    }

    @Test
    void statesTheWorkerReportedAreNotSentBackButEverythingElseIs() {
        Task assigned = with(task("a", TaskState.TASK_STATE_RUNNING).toBuilder().setNodeId("n1").build(), TaskState.TASK_STATE_ASSIGNED);
        Task running = with(assigned, TaskState.TASK_STATE_RUNNING);
        assertNull(Assignments.next(Assignments.byId(List.of(assigned)), List.of(running)), "the worker's own report");

        Task stopping = running.toBuilder().setDesiredState(TaskState.TASK_STATE_SHUTDOWN).build();
        AssignmentsMessage m = Assignments.next(Assignments.byId(List.of(assigned)), List.of(stopping)).build();
        assertEquals(List.of(stopping), m.getTasksList(), "a desired state change goes with the current status");

        Task pending = with(task("b", TaskState.TASK_STATE_RUNNING), TaskState.TASK_STATE_PENDING);
        Task placed = with(pending.toBuilder().setNodeId("n1").build(), TaskState.TASK_STATE_ASSIGNED);
        assertEquals(1, Assignments.next(Assignments.byId(List.of(pending)), List.of(placed)).getTasksCount(),
                "states up to ASSIGNED are the managers' and are sent");
        assertTrue(Assignments.reportedByWorker(assigned, running));
        assertEquals(false, Assignments.reportedByWorker(pending, placed));
    }

    @Test
    void aReportedStatusIsToldByTheStoreEventOrByComparingEveryOtherField() {
        Task assigned = with(task("a", TaskState.TASK_STATE_RUNNING).toBuilder().setNodeId("n1").build(), TaskState.TASK_STATE_ASSIGNED);
        Task running = with(assigned, TaskState.TASK_STATE_RUNNING);
        var wrap = (Function<Task, StoreObject>) StoreObjects::wrap;
        var update = StoreEvent.Type.UPDATE;
        assertTrue(Assignments.reportedByWorker(new StoreEvent(update, 9, wrap.apply(assigned), wrap.apply(running), true)));
        assertEquals(false, Assignments.reportedByWorker(new StoreEvent(update, 9, wrap.apply(running),
                wrap.apply(with(running, TaskState.TASK_STATE_ASSIGNED)), true)), "ASSIGNED is the managers' state");
        assertTrue(Assignments.reportedByWorker(new StoreEvent(update, 9, wrap.apply(assigned), wrap.apply(running))),
                "a whole-task write that changed only the status");
        for (Task other : List.of(running.toBuilder().setDesiredState(TaskState.TASK_STATE_SHUTDOWN).build(),
                running.toBuilder().setNodeId("n2").build(), running.toBuilder().setSpecVersion(7).build(),
                running.toBuilder().addRestartsMs(5).build())) {
            assertEquals(false, Assignments.reportedByWorker(assigned, other), other.toString());
        }
    }
}
