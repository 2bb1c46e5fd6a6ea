package io.shoal.manager.store;

import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A read view plus writes decided but not yet proposed: what one pass of the control loops has
 * decided so far. A later loop of the pass reads the earlier loops' writes as if they were
 * committed (the scheduler places the tasks the orchestrator has just created), and the whole pass
 * goes to Raft as one write instead of one per loop. Writes to one object merge into one action at
 * the position of the first: a task created and then placed in the same pass is one CREATE of the
 * placed task, and an object updated twice is one UPDATE conditional on the version the first
 * writer read.
 *
 * <p>Staged objects read as they were written: the store sets their version (and times) when it
 * applies them, so a task created in the pass reads with version 0, and an updated one with the
 * version it was read at. The loops compare versions only among tasks that have finished (which a
 * pass does not create), so no later loop mistakes a new task for an old one. Lists stay sorted
 * by id, as {@link ReadTx} promises. Valid only inside the view it wraps.
 */
public final class StagedTx implements ReadTx {
    private final ReadTx base;
    /** kind -> id -> the object as staged; a null value means removed in this pass */
    private final Map<ObjectKind, TreeMap<String, StoreObject>> staged = new EnumMap<>(ObjectKind.class);
    /** kind -> id -> the position in {@link #actions} of the action that writes it */
    private final Map<ObjectKind, Map<String, Integer>> position = new EnumMap<>(ObjectKind.class);
    /** the merged actions in order; null where an action was cancelled (created, then removed) */
    private final List<StoreAction> actions = new ArrayList<>();
    /** staged tasks (present ones) by every {@link TaskIndex}, sorted by id */
    private final TaskIndexes stagedTasks = new TaskIndexes(true);
    private int taskDelta;

    public StagedTx(ReadTx base) {
        this.base = base;
    }

    /**
     * Stages one loop's writes. Returns the changes they make, as store events (before, after),
     * so that later loops of the pass can look at what the earlier ones touched.
     */
    public List<StoreEvent> stage(List<StoreAction> writes) {
        List<StoreEvent> events = new ArrayList<>();
        for (StoreAction a : writes) {
            if (a.getKind() == StoreAction.Kind.TASK_STATUS || a.getObject().getObjectCase() == StoreObject.ObjectCase.OBJECT_NOT_SET) {
                actions.add(a); // not an object write: passed on as it is, for the store to judge
                continue;
            }
            ObjectKind kind = StoreObjects.kind(a.getObject());
            String id = StoreObjects.id(a.getObject());
            StoreObject before = get(kind, id).orElse(null);
            Integer pos = position.computeIfAbsent(kind, k -> new HashMap<>()).get(id);
            StoreAction prev = pos == null ? null : actions.get(pos);
            StoreObject after = a.getKind() == StoreAction.Kind.REMOVE ? null : a.getObject();
            if (prev == null || prev.getKind() == StoreAction.Kind.REMOVE || a.getKind() == StoreAction.Kind.CREATE) {
                // a first write of the object in this pass (or one the store must judge on its own)
                position.get(kind).put(id, actions.size());
                actions.add(a);
            } else if (a.getKind() == StoreAction.Kind.REMOVE) {
                if (prev.getKind() == StoreAction.Kind.CREATE) {
                    actions.set(pos, null); // created and removed within the pass: nothing to write
                    position.get(kind).remove(id);
                } else {
                    actions.set(pos, prev.toBuilder().setKind(StoreAction.Kind.REMOVE).setObject(a.getObject())
                            .setExpectedVersion(prev.getExpectedVersion() != 0 ? prev.getExpectedVersion() : a.getExpectedVersion()).build());
                }
            } else { // an update of an object created or updated earlier in the pass
                StoreAction.Builder merged = prev.toBuilder().setObject(a.getObject());
                if (prev.getKind() == StoreAction.Kind.UPDATE && prev.getExpectedVersion() == 0) {
                    merged.setExpectedVersion(a.getExpectedVersion());
                }
                actions.set(pos, merged.build());
            }
            put(kind, id, before, after);
            if (before != null || after != null) {
                events.add(new StoreEvent(before == null ? StoreEvent.Type.CREATE : after == null ? StoreEvent.Type.REMOVE
                        : StoreEvent.Type.UPDATE, base.index(), before, after));
            }
        }
        return events;
    }

    /** Everything staged, merged, in order: the pass's write. */
    public List<StoreAction> actions() {
        List<StoreAction> out = new ArrayList<>(actions.size());
        for (StoreAction a : actions) {
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    private void put(ObjectKind kind, String id, StoreObject before, StoreObject after) {
        staged.computeIfAbsent(kind, k -> new TreeMap<>()).put(id, after);
        if (kind != ObjectKind.TASK) {
            return;
        }
        taskDelta += (after != null ? 1 : 0) - (before != null ? 1 : 0);
        stagedTasks.update(before == null ? null : before.getTask(), after == null ? null : after.getTask());
    }

    @Override
    public long index() {
        return base.index();
    }

    @Override
    public Optional<StoreObject> get(ObjectKind kind, String id) {
        TreeMap<String, StoreObject> s = staged.get(kind);
        if (s != null && s.containsKey(id)) {
            return Optional.ofNullable(s.get(id));
        }
        return base.get(kind, id);
    }

    @Override
    public List<StoreObject> list(ObjectKind kind) {
        TreeMap<String, StoreObject> s = staged.get(kind);
        if (s == null || s.isEmpty()) {
            return base.list(kind);
        }
        return merge(base.list(kind), s, s, StoreObjects::id);
    }

    @Override
    public Optional<StoreObject> byName(ObjectKind kind, String name) {
        TreeMap<String, StoreObject> s = staged.get(kind);
        if (s == null || s.isEmpty()) {
            return base.byName(kind, name);
        }
        for (StoreObject o : s.values()) {
            if (o != null && StoreObjects.name(o).equals(name)) {
                return Optional.of(o);
            }
        }
        // the stored holder of the name, unless this pass renamed or removed it
        return base.byName(kind, name).filter(o -> !s.containsKey(StoreObjects.id(o)));
    }

    @Override
    public List<Task> tasksOnNode(String nodeId) {
        return tasks(base.tasksOnNode(nodeId), TaskIndex.NODE, nodeId);
    }

    @Override
    public List<Task> tasksOfService(String serviceId) {
        return tasks(base.tasksOfService(serviceId), TaskIndex.SERVICE, serviceId);
    }

    @Override
    public List<Task> tasksInState(TaskState state) {
        return tasks(base.tasksInState(state), TaskIndex.STATE, state);
    }

    @Override
    public int taskCount() {
        return base.taskCount() + taskDelta;
    }

    private List<Task> tasks(List<Task> stored, TaskIndex index, Object key) {
        TreeMap<String, StoreObject> s = staged.get(ObjectKind.TASK);
        if (s == null || s.isEmpty()) {
            return stored;
        }
        SortedMap<String, Task> matching = stagedTasks.sorted(index, key);
        return merge(stored, s, matching == null ? new TreeMap<>() : matching, Task::getId);
    }

    /**
     * The stored list (sorted by id) without the objects this pass wrote, merged in id order with
     * the staged ones that belong in it.
     */
    private static <T> List<T> merge(List<T> stored, TreeMap<String, StoreObject> stagedOfKind, SortedMap<String, T> belong,
                                     Function<T, String> id) {
        List<T> out = new ArrayList<>(stored.size() + belong.size());
        Iterator<Map.Entry<String, T>> add = belong.entrySet().iterator();
        Map.Entry<String, T> next = add.hasNext() ? add.next() : null;
        for (T t : stored) {
            String tid = id.apply(t);
            while (next != null && next.getKey().compareTo(tid) < 0) {
                if (next.getValue() != null) {
                    out.add(next.getValue());
                }
                next = add.hasNext() ? add.next() : null;
            }
            if (!stagedOfKind.containsKey(tid)) {
                out.add(t);
            }
        }
        while (next != null) {
            if (next.getValue() != null) {
                out.add(next.getValue());
            }
            next = add.hasNext() ? add.next() : null;
        }
        return out;
    }
}
