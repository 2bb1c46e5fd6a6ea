package io.shoal.cli.commands;

import io.shoal.api.ContainerSpec;
import io.shoal.api.GlobalService;
import io.shoal.api.Meta;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.UpdateStatus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress lines a waiting command prints: per slot, overall, the update's state; each once per change. */
class ServiceProgressTest {
    private static TaskSpec spec(String image) {
        return TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage(image)).build();
    }

    private static Service service(long replicas, String image, long specVersion, UpdateStatus.State state, String message) {
        return Service.newBuilder().setId("s").setSpecVersion(specVersion)
                .setSpec(ServiceSpec.newBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(replicas)).setTask(spec(image)))
                .setUpdateStatus(UpdateStatus.newBuilder().setState(state).setMessage(message)).build();
    }

    private static Task task(String id, long slot, String image, long specVersion, TaskState state, String err) {
        return Task.newBuilder().setId(id).setSlot(slot).setSpec(spec(image)).setSpecVersion(specVersion).setNodeId("n1")
                .setDesiredState(TaskState.TASK_STATE_RUNNING).setMeta(Meta.newBuilder().setCreatedMs(slot).setVersion(slot))
                .setStatus(TaskStatus.newBuilder().setState(state).setErr(err)).build();
    }

    @Test
    void slotsAndOverallProgressOfTheCurrentSpecOnlyEachLineOnce() {
        ServiceProgress p = new ServiceProgress();
        Service s = service(3, "app:2", 7, UpdateStatus.State.UPDATING, "update in progress");
        List<Task> tasks = List.of(
                task("old1", 1, "app:1", 3, TaskState.TASK_STATE_RUNNING, ""),
                task("new1", 1, "app:2", 7, TaskState.TASK_STATE_PREPARING, ""),
                task("old2", 2, "app:1", 3, TaskState.TASK_STATE_RUNNING, ""),
                task("old3", 3, "app:1", 3, TaskState.TASK_STATE_RUNNING, ""));
        assertEquals(List.of("update: updating (update in progress)", "1/3: preparing", "overall progress: 0 out of 3 tasks"),
                p.update(s, tasks, Map.of()), "old tasks neither show nor count");
        assertEquals(List.of(), p.update(s, tasks, Map.of()), "nothing changed, nothing printed");
        List<Task> later = List.of(
                task("new1", 1, "app:2", 7, TaskState.TASK_STATE_RUNNING, ""),
                task("new2", 2, "app:2", 7, TaskState.TASK_STATE_FAILED, "task: non-zero exit (1)"),
                task("old3", 3, "app:1", 3, TaskState.TASK_STATE_RUNNING, ""));
        assertEquals(List.of("1/3: running", "2/3: failed: task: non-zero exit (1)", "overall progress: 1 out of 3 tasks"),
                p.update(s, later, Map.of()));
        Service rolling = service(3, "app:1", 3, UpdateStatus.State.ROLLBACK_STARTED, "update rolled back due to failure or early termination of task new2");
        List<String> back = p.update(rolling, later, Map.of());
        assertEquals("update: rollback started (update rolled back due to failure or early termination of task new2)", back.getFirst());
        assertTrue(back.contains("3/3: running"), back.toString());
        assertEquals("rolling back update: 1 out of 3 tasks", back.getLast());
    }

    @Test
    void aScaleLeavesTasksUpToDateByTheirSpec() {
        Service scaled = service(2, "app:1", 9, UpdateStatus.State.UNKNOWN, "");
        Task t = task("t1", 1, "app:1", 3, TaskState.TASK_STATE_RUNNING, "");
        assertTrue(ServiceProgress.upToDate(scaled, t), "same task spec, older spec version: still up to date");
        assertFalse(ServiceProgress.upToDate(scaled, task("t2", 2, "app:0", 3, TaskState.TASK_STATE_RUNNING, "")));
        ServiceProgress p = new ServiceProgress();
        assertEquals(List.of("1/2: running", "overall progress: 1 out of 2 tasks"), p.update(scaled, List.of(t), Map.of()));
        assertFalse(ServiceProgress.state(scaled, List.of(t)).converged());
    }

    @Test
    void globalServicesShowNodesAndManySlotsOnlyTheOverallLine() {
        Service g = Service.newBuilder().setId("g").setSpec(ServiceSpec.newBuilder().setGlobal(GlobalService.getDefaultInstance())
                .setTask(spec("agent:1"))).build();
        Task t = task("t1", 0, "agent:1", 0, TaskState.TASK_STATE_RUNNING, "");
        assertEquals(List.of("h1: running", "overall progress: 1 out of 1 tasks"), new ServiceProgress().update(g, List.of(t), Map.of("n1", "h1")));
        Service big = service(50, "app:1", 0, UpdateStatus.State.UNKNOWN, "");
        List<Task> many = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            many.add(task("t" + i, i, "app:1", 0, TaskState.TASK_STATE_RUNNING, ""));
        }
        assertEquals(List.of("overall progress: 50 out of 50 tasks"), new ServiceProgress().update(big, many, Map.of()));
        assertTrue(ServiceProgress.state(big, many).converged());
    }
}
