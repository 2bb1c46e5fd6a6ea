package io.shoal.manager.store;

import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreObject;
import io.shoal.api.raft.TaskStatusChange;

/** Builders for the actions of a write. */
public final class Batches {
    private Batches() {}

    public static StoreAction create(StoreObject o) {
        return StoreAction.newBuilder().setKind(StoreAction.Kind.CREATE).setObject(o).build();
    }

    /** Updates {@code o}, conditional on the version it carries (the one the writer read). */
    public static StoreAction update(StoreObject o) {
        return StoreAction.newBuilder().setKind(StoreAction.Kind.UPDATE).setObject(o)
                .setExpectedVersion(StoreObjects.meta(o).getVersion()).build();
    }

    /** Removes {@code o}, conditional on the version it carries. */
    public static StoreAction remove(StoreObject o) {
        return StoreAction.newBuilder().setKind(StoreAction.Kind.REMOVE).setObject(o)
                .setExpectedVersion(StoreObjects.meta(o).getVersion()).build();
    }

    /** Updates whatever version is stored. */
    public static StoreAction putUnconditional(StoreObject o) {
        return StoreAction.newBuilder().setKind(StoreAction.Kind.UPDATE).setObject(o).setExpectedVersion(0).build();
    }

    /** A worker's report of a task's state (applied by the store's forward-only rule, never a conflict). */
    public static StoreAction status(String taskId, String nodeId, TaskStatus status) {
        return StoreAction.newBuilder().setKind(StoreAction.Kind.TASK_STATUS).setStatus(TaskStatusChange.newBuilder()
                .setTaskId(taskId).setNodeId(nodeId).setStatus(status)).build();
    }
}
