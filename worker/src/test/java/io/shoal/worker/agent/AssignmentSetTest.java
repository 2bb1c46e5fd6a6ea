package io.shoal.worker.agent;

import io.grpc.StatusRuntimeException;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AssignmentSetTest {
    private static Task task(String id, String image) {
        return Task.newBuilder().setId(id).setSpec(TaskSpec.newBuilder()
                .setContainer(ContainerSpec.newBuilder().setImage(image))).build();
    }

    private static List<String> ids(List<Task> tasks) {
        return tasks.stream().map(Task::getId).toList();
    }

    @Test
    void changesApplyOnTopOfTheFullSet() {
        AssignmentSet set = new AssignmentSet();
        assertEquals(List.of("a", "b"), ids(set.apply(AssignmentsMessage.newBuilder().setSequence(1).setFull(true)
                .addTasks(task("a", "x:1")).addTasks(task("b", "x:1")).build())));
        List<Task> after = set.apply(AssignmentsMessage.newBuilder().setSequence(2)
                .addTasks(task("a", "x:2")).addTasks(task("c", "x:1")).addRemoved("b").build());
        assertEquals(List.of("a", "c"), ids(after));
        assertEquals("x:2", after.getFirst().getSpec().getContainer().getImage());
    }

    @Test
    void aGapOrChangesBeforeAFullSetForceAResync() {
        AssignmentSet fresh = new AssignmentSet();
        assertThrows(StatusRuntimeException.class, () -> fresh.apply(AssignmentsMessage.newBuilder().setSequence(1)
                .addTasks(task("a", "x:1")).build()));
        AssignmentSet set = new AssignmentSet();
        set.apply(AssignmentsMessage.newBuilder().setSequence(1).setFull(true).build());
        assertThrows(StatusRuntimeException.class, () -> set.apply(AssignmentsMessage.newBuilder().setSequence(3).build()));
    }
}
