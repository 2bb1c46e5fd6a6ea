package io.shoal.manager.store;

import io.shoal.api.Task;

/**
 * The secondary indexes of tasks, each declared once here and kept alike by the store, its copies
 * ({@link ClusterStore#detachedView}) and {@link StagedTx}: the dispatcher asks for a node's tasks,
 * the orchestrators for a service's, the scheduler for the PENDING ones, none of them by scanning.
 */
public enum TaskIndex {
    /** The node a task is on (empty while unassigned). */
    NODE(true) {
        @Override
        Object key(Task t) {
            return t.getNodeId();
        }
    },
    /** The service a task belongs to. */
    SERVICE(true) {
        @Override
        Object key(Task t) {
            return t.getServiceId();
        }
    },
    /**
     * The task's observed state. Its buckets are kept unordered and sorted when read: every
     * reported state moves a task from one bucket to another, which a hash map does in O(1).
     */
    STATE(false) {
        @Override
        Object key(Task t) {
            return t.getStatus().getState();
        }
    };

    /** Whether the store keeps this index's buckets sorted by task id (read often, changed less). */
    final boolean sorted;

    TaskIndex(boolean sorted) {
        this.sorted = sorted;
    }

    /** The key {@code t} is filed under. */
    abstract Object key(Task t);
}
