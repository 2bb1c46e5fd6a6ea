package io.shoal.worker.agent;

import io.shoal.api.Task;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a complete task set means for the runners and containers here. */
class TaskPlanTest {
    private static Task task(String id) {
        return Task.newBuilder().setId(id).build();
    }

    @Test
    void assignedTasksRunAndTheOthersRetire() {
        TaskPlan p = TaskPlan.of(List.of(task("a"), task("b")), List.of("b", "c"), null);
        assertEquals(List.of(task("a"), task("b")), p.run(), "new and kept alike: each sees its latest version");
        assertEquals(List.of("c"), p.retire());
        assertEquals(List.of(), p.leftover(), "no look at the containers after the first set");
    }

    @Test
    void theFirstSetAfterAStartRemovesContainersOfTasksNoLongerAssigned() {
        TaskPlan p = TaskPlan.of(List.of(task("a")), List.of(), List.of("a", "gone"));
        assertEquals(List.of("gone"), p.leftover(), "a's container is adopted, gone's removed");
        assertEquals(List.of(), p.retire());
    }

    @Test
    void anEmptySetRetiresEverything() {
        TaskPlan p = TaskPlan.of(List.of(), List.of("a", "b"), null);
        assertEquals(List.of(), p.run());
        assertEquals(List.of("a", "b"), p.retire());
        assertEquals(List.of("x"), TaskPlan.of(List.of(), List.of(), List.of("x")).leftover());
    }
}
