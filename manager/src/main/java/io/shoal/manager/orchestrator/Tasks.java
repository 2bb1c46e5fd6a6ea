package io.shoal.manager.orchestrator;

import io.shoal.api.Annotations;
import io.shoal.api.Endpoint;
import io.shoal.api.PortConfig;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.StoreObjects;

import java.util.Comparator;
import java.util.List;

/** Facts about tasks that every loop shares. */
public final class Tasks {
    private Tasks() {}

    /** The task is meant to run (desired RUNNING or earlier). */
    public static boolean wanted(Task t) {
        return t.getDesiredState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE;
    }

    /** The task has finished, one way or another. */
    public static boolean terminal(Task t) {
        return t.getStatus().getState().getNumber() > TaskState.TASK_STATE_RUNNING_VALUE;
    }

    /** The task holds a place on a node (assigned and not finished; a global task waiting for its node's resources does not). */
    public static boolean placed(Task t) {
        return !t.getNodeId().isEmpty() && !terminal(t) && t.getStatus().getState() != TaskState.TASK_STATE_PENDING;
    }

    /** Tells the task to stop (its history stays until the reaper takes it). */
    public static StoreAction shutdown(Task t) {
        return Batches.update(StoreObjects.wrap(
                t.toBuilder().setDesiredState(TaskState.TASK_STATE_SHUTDOWN).build()));
    }

    /**
     * The task was made from the service's current spec (not an older one, before an update): its
     * spec version, or else its spec and host-mode ports (a change the task does not see, such as
     * the replica count or an ingress port, leaves it current).
     */
    public static boolean current(Service s, Task t) {
        return t.getSpecVersion() == s.getSpecVersion() && t.getSpecVersion() != 0
                || t.getSpec().equals(s.getSpec().getTask()) && sameHostPorts(t.getEndpoint(), s.getEndpoint());
    }

    /**
     * Whether two endpoints hold the same host-mode ports, in the same order; without building the
     * lists, as this runs for every task of every service on each pass of the loops.
     */
    static boolean sameHostPorts(Endpoint a, Endpoint b) {
        if (a == b || a.getPortsCount() == 0 && b.getPortsCount() == 0) {
            return true;
        }
        return hostPorts(a).equals(hostPorts(b));
    }

    /** The slot's newest task: the last one made (what the restart policy looks at). */
    public static Task newest(List<Task> slot) {
        return slot.stream().max(Comparator.comparingLong((Task t) -> t.getMeta().getCreatedMs())
                .thenComparingLong(t -> t.getMeta().getVersion())).orElseThrow();
    }

    public static TaskStatus status(TaskState state, String message, long nowMs) {
        return TaskStatus.newBuilder().setState(state).setMessage(message).setTimestampMs(nowMs).build();
    }

    /** The host-mode ports of an endpoint: a task holds them on its node, so changing them replaces it. */
    private static List<PortConfig> hostPorts(Endpoint e) {
        return e.getPortsList().stream().filter(p -> p.getPublishMode() == PortConfig.PublishMode.HOST).toList();
    }

    /** A new task for {@code slot} of {@code service}, PENDING until the scheduler places it. */
    public static Task newTask(Service service, long slot, String nodeId, long nowMs, String id) {
        return Task.newBuilder()
                .setId(id)
                .setServiceId(service.getId())
                .setSlot(slot)
                .setNodeId(nodeId)
                .setSpec(service.getSpec().getTask())
                .setSpecVersion(service.getSpecVersion())
                .setEndpoint(service.getEndpoint())
                .setAnnotations(Annotations.newBuilder()
                        .setName(service.getSpec().getAnnotations().getName() + "." + (slot > 0 ? slot : nodeId)))
                .setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setStatus(status(TaskState.TASK_STATE_PENDING, "pending task scheduling", nowMs))
                .build();
    }
}
