package io.shoal.manager.store;

import io.shoal.api.Task;

import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The tasks filed under every {@link TaskIndex}: per index, key -> (task id -> task). Not
 * thread-safe; its owner guards it (the store's lock) or keeps it to one thread (a pass).
 */
final class TaskIndexes {
    /** {@link TaskIndex#values()} copies its array on every call; a task's change files under each. */
    private static final TaskIndex[] INDEXES = TaskIndex.values();
    private final Map<TaskIndex, Map<Object, Map<String, Task>>> buckets = new EnumMap<>(TaskIndex.class);
    /** every bucket sorted by task id, whatever the index (for {@link StagedTx}, which merges sorted lists) */
    private final boolean allSorted;

    TaskIndexes(boolean allSorted) {
        this.allSorted = allSorted;
        for (TaskIndex i : TaskIndex.values()) {
            buckets.put(i, new HashMap<>());
        }
    }

    /** Files a task's change: {@code before} and {@code after} may each be null (created, removed). */
    void update(Task before, Task after) {
        for (TaskIndex i : INDEXES) {
            Map<Object, Map<String, Task>> index = buckets.get(i);
            Object was = before == null ? null : i.key(before);
            Object now = after == null ? null : i.key(after);
            // where the key stays (most writes: a reported state keeps node and service), one put replaces the entry
            if (was != null && !was.equals(now)) {
                Map<String, Task> m = index.get(was);
                if (m != null) {
                    m.remove(before.getId());
                    if (m.isEmpty()) {
                        index.remove(was);
                    }
                }
            }
            if (now != null) {
                Map<String, Task> m = index.get(now);
                if (m == null) {
                    m = allSorted || i.sorted ? new TreeMap<>() : new HashMap<>();
                    index.put(now, m);
                }
                m.put(after.getId(), after);
            }
        }
    }

    /** The tasks filed under {@code key}, sorted by id. */
    List<Task> list(TaskIndex i, Object key) {
        Map<String, Task> m = buckets.get(i).get(key);
        if (m == null) {
            return List.of();
        }
        if (m instanceof SortedMap) {
            return List.copyOf(m.values());
        }
        Task[] sorted = m.values().toArray(Task[]::new);
        Arrays.sort(sorted, Comparator.comparing(Task::getId));
        return List.of(sorted);
    }

    /** The bucket of {@code key} by id, or null when empty; only when every bucket is sorted. */
    SortedMap<String, Task> sorted(TaskIndex i, Object key) {
        if (!allSorted) {
            throw new IllegalStateException("the buckets of " + i + " are not sorted here");
        }
        return (SortedMap<String, Task>) buckets.get(i).get(key);
    }

    int count(TaskIndex i, Object key) {
        Map<String, Task> m = buckets.get(i).get(key);
        return m == null ? 0 : m.size();
    }

    /** A copy that shares the (immutable) tasks but none of the maps. */
    TaskIndexes copy() {
        TaskIndexes c = new TaskIndexes(allSorted);
        buckets.forEach((i, index) -> {
            Map<Object, Map<String, Task>> to = c.buckets.get(i);
            index.forEach((k, m) -> to.put(k, m instanceof TreeMap<String, Task> t ? new TreeMap<>(t) : new HashMap<>(m)));
        });
        return c;
    }

    void clear() {
        buckets.values().forEach(Map::clear);
    }
}
