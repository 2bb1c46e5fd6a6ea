package io.shoal.manager.dispatcher;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import org.junit.jupiter.api.Test;

import java.util.List;

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
}
