package io.shoal.manager.store;

import io.shoal.api.raft.StoreObject;

/**
 * One change to the store. {@code before} is null for CREATE, {@code after} null for REMOVE; a
 * RESET (the whole state was replaced from a snapshot) carries neither: re-list everything.
 * {@code statusOnly}: a worker's report changed only the task's status (a {@code TASK_STATUS}
 * action), which readers can tell without comparing the two versions. {@code timestampMs}: the
 * proposer's clock of the entry that made the change (the same on every manager; 0 where unknown).
 */
public record StoreEvent(Type type, long index, StoreObject before, StoreObject after, boolean statusOnly, long timestampMs) {
    public enum Type { CREATE, UPDATE, REMOVE, RESET }

    public StoreEvent(Type type, long index, StoreObject before, StoreObject after, boolean statusOnly) {
        this(type, index, before, after, statusOnly, 0);
    }

    public StoreEvent(Type type, long index, StoreObject before, StoreObject after) {
        this(type, index, before, after, false, 0);
    }
}
