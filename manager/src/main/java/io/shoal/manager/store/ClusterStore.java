package io.shoal.manager.store;

import io.shoal.api.Meta;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import io.shoal.api.raft.StoreSnapshot;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The cluster state held by every manager: every object by kind and id, changed only by
 * {@link #apply} (committed Raft entries, in log order) and {@link #restore} (a snapshot).
 *
 * <p>Reads run inside {@link #view} against a consistent state. {@link #watch()} gives a snapshot
 * plus every later change with no gap, because both are taken under the lock that apply holds.
 */
public final class ClusterStore {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<ObjectKind, TreeMap<String, StoreObject>> tables = new EnumMap<>(ObjectKind.class);
    /**
     * The same objects by id for point lookups: a TreeMap lookup of a random 25-character id costs
     * a cache miss per level, and an apply looks each object up twice (validate, write).
     */
    private final Map<ObjectKind, HashMap<String, StoreObject>> byId = new EnumMap<>(ObjectKind.class);
    private final Map<ObjectKind, Map<String, String>> names = new EnumMap<>(ObjectKind.class);
    /** The tasks by every {@link TaskIndex}. */
    private final TaskIndexes taskIndexes = new TaskIndexes(false);
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final IndexWaiters waiters = new IndexWaiters();
    private final Tables readTx;
    private final BatchCheck check;
    private long appliedIndex;
    /** Tasks this replica saw become ASSIGNED (placed by the scheduler), all committed: a metric. */
    private volatile long placements;
    /** Each placement's delay since its task was created (ms, entry times): the scheduling delay metric. */
    private volatile LongConsumer placementDelays = ms -> { };

    /**
     * Events a watch holds for a reader that lags behind: beyond them it holds one RESET instead
     * (the reader lists everything again), so a stuck reader costs bounded memory. A deployment of
     * 100,000 tasks applies entries of at most 1,000 actions; a reader of a live manager is never
     * this far behind.
     */
    static final int WATCH_CAPACITY = 100_000;

    public ClusterStore() {
        for (ObjectKind k : ObjectKind.values()) {
            tables.put(k, new TreeMap<>());
            byId.put(k, new HashMap<>());
            names.put(k, new HashMap<>());
        }
        readTx = new Tables(tables, byId, names, taskIndexes, () -> appliedIndex);
        check = new BatchCheck(tables, byId, names);
    }

    public long appliedIndex() {
        lock.readLock().lock();
        try {
            return appliedIndex;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code fn} against a consistent view; do not let the view escape. */
    public <T> T view(Function<ReadTx, T> fn) {
        lock.readLock().lock();
        try {
            return fn.apply(readTx);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Runs {@code fn} against a copy of the state taken under the lock, without holding it: for
     * long reads (a pass of the control loops over every task), so that applying committed entries
     * never waits for them. The copy costs O(objects); valid for as long as the caller keeps it.
     */
    public <T> T detachedView(Function<ReadTx, T> fn) {
        Tables copy;
        lock.readLock().lock();
        try {
            copy = readTx.copy(appliedIndex);
        } finally {
            lock.readLock().unlock();
        }
        return fn.apply(copy);
    }

    /** The read side over one set of maps: the live ones (read under the lock) or a copy of them. */
    private record Tables(Map<ObjectKind, TreeMap<String, StoreObject>> tables, Map<ObjectKind, HashMap<String, StoreObject>> byId,
                          Map<ObjectKind, Map<String, String>> names, TaskIndexes taskIndexes, LongSupplier at)
            implements ReadTx {
        Tables copy(long index) {
            Map<ObjectKind, TreeMap<String, StoreObject>> t = new EnumMap<>(ObjectKind.class);
            tables.forEach((k, m) -> t.put(k, new TreeMap<>(m)));
            Map<ObjectKind, HashMap<String, StoreObject>> ids = new EnumMap<>(ObjectKind.class);
            byId.forEach((k, m) -> ids.put(k, new HashMap<>(m)));
            Map<ObjectKind, Map<String, String>> n = new EnumMap<>(ObjectKind.class);
            names.forEach((k, m) -> n.put(k, new HashMap<>(m)));
            return new Tables(t, ids, n, taskIndexes.copy(), () -> index);
        }

        @Override
        public long index() {
            return at.getAsLong();
        }

        @Override
        public Optional<StoreObject> get(ObjectKind kind, String id) {
            return Optional.ofNullable(byId.get(kind).get(id));
        }

        @Override
        public List<StoreObject> list(ObjectKind kind) {
            return List.copyOf(tables.get(kind).values());
        }

        @Override
        public Optional<StoreObject> byName(ObjectKind kind, String name) {
            String id = names.get(kind).get(name);
            return id == null ? Optional.empty() : get(kind, id);
        }

        @Override
        public List<Task> tasksOnNode(String nodeId) {
            return taskIndexes.list(TaskIndex.NODE, nodeId);
        }

        @Override
        public List<Task> tasksInState(TaskState state) {
            return taskIndexes.list(TaskIndex.STATE, state);
        }

        @Override
        public int taskCount() {
            return tables.get(ObjectKind.TASK).size();
        }

        @Override
        public List<Task> tasksOfService(String serviceId) {
            return taskIndexes.list(TaskIndex.SERVICE, serviceId);
        }
    }

    private void index(StoreObject before, StoreObject after) {
        taskIndexes.update(before != null && before.hasTask() ? before.getTask() : null,
                after != null && after.hasTask() ? after.getTask() : null);
    }

    /**
     * Applies one committed batch at Raft index {@code index}: all actions or none. Deterministic,
     * so every manager reaches the same state and the same result. An index at or below the applied
     * index (a replay) is ignored.
     *
     * @throws StoreFormat.TooNew when the batch's format is newer than this build's (nothing applied)
     */
    public ApplyResult apply(long index, StoreBatch batch) {
        StoreFormat.checkReadable(batch.getFormat(), "Raft log entry " + index);
        List<StoreEvent> events = new ArrayList<>();
        ApplyResult result;
        Runnable due;
        lock.writeLock().lock();
        try {
            if (index <= appliedIndex) {
                return ApplyResult.newBuilder().setOk(true).setIndex(appliedIndex).build();
            }
            BatchCheck.Refused refused = check.refusal(batch);
            if (refused == null) {
                for (StoreAction a : batch.getActionsList()) {
                    StoreEvent e = a.getKind() == StoreAction.Kind.TASK_STATUS ? writeStatus(index, batch.getTimestampMs(), a)
                            : write(index, batch.getTimestampMs(), a);
                    if (e != null) {
                        events.add(e);
                    }
                }
                result = ApplyResult.newBuilder().setOk(true).setIndex(index).build();
            } else {
                result = ApplyResult.newBuilder().setOk(false).setRefusal(refused.why()).setError(refused.message())
                        .setIndex(index).build();
            }
            appliedIndex = index;
            for (Watch w : watches) {
                events.forEach(w::offer);
            }
            due = waiters.reach(index);
        } finally {
            lock.writeLock().unlock();
        }
        due.run();
        return result;
    }

    /**
     * Completes once this store has applied {@code index} (at once if it has): for a writer that
     * must read its own write on a manager whose proposal was answered before it applied it.
     */
    public CompletableFuture<Long> indexReached(long index) {
        return waiters.at(index);
    }

    private StoreEvent write(long index, long timestamp, StoreAction a) {
        StoreObject obj = a.getObject();
        ObjectKind kind = StoreObjects.kind(obj);
        String id = StoreObjects.id(obj);
        StoreObject before = byId.get(kind).get(id);
        if (before != null && kind.uniqueNames()) {
            names.get(kind).remove(StoreObjects.name(before));
        }
        if (a.getKind() == StoreAction.Kind.REMOVE) {
            tables.get(kind).remove(id);
            byId.get(kind).remove(id);
            index(before, null);
            return new StoreEvent(StoreEvent.Type.REMOVE, index, before, null, false, timestamp);
        }
        long created = before == null ? timestamp : StoreObjects.meta(before).getCreatedMs();
        Meta meta = Meta.newBuilder().setVersion(index).setCreatedMs(created).setUpdatedMs(timestamp).build();
        StoreObject after = switch (kind) {
            case TASK -> StoreObject.newBuilder().setTask(shareSpec(obj.getTask()).setMeta(meta)).build();
            case SERVICE -> StoreObject.newBuilder().setService(keepTaskSpec(before, obj.getService()).setMeta(meta)).build();
            default -> StoreObjects.withMeta(obj, meta);
        };
        tables.get(kind).put(id, after);
        byId.get(kind).put(id, after);
        index(before, after);
        countPlacement(before, after);
        if (kind.uniqueNames() && !StoreObjects.name(after).isEmpty()) {
            names.get(kind).put(StoreObjects.name(after), id);
        }
        return new StoreEvent(before == null ? StoreEvent.Type.CREATE : StoreEvent.Type.UPDATE, index, before, after, false, timestamp);
    }

    /**
     * The task to store, holding its service's task spec itself when it equals it (what tasks are
     * made of): thousands of tasks share one spec instead of each keeping the copy its entry was
     * parsed into, and comparing a task's spec with its service's is then a reference check.
     */
    private Task.Builder shareSpec(Task t) {
        StoreObject service = t.getServiceId().isEmpty() ? null : byId.get(ObjectKind.SERVICE).get(t.getServiceId());
        Task.Builder b = t.toBuilder();
        if (service != null) {
            TaskSpec spec = service.getService().getSpec().getTask();
            if (spec != t.getSpec() && spec.equals(t.getSpec())) {
                b.setSpec(spec);
            }
        }
        return b;
    }

    /** A service update that leaves its task spec as it was (a scale, a label) keeps the instance its tasks share. */
    private static Service.Builder keepTaskSpec(StoreObject before, Service updated) {
        Service.Builder b = updated.toBuilder();
        if (before != null && before.hasService()) {
            TaskSpec old = before.getService().getSpec().getTask();
            if (old != updated.getSpec().getTask() && old.equals(updated.getSpec().getTask())) {
                b.getSpecBuilder().setTask(old);
            }
        }
        return b;
    }

    /**
     * A worker's report (see {@code TaskStatusChange}): the task's new version with the reported
     * status, or null when the report does not apply (task gone or moved, or not forward).
     */
    private StoreEvent writeStatus(long index, long timestamp, StoreAction a) {
        var change = a.getStatus();
        StoreObject before = byId.get(ObjectKind.TASK).get(change.getTaskId());
        if (before == null || !before.getTask().getNodeId().equals(change.getNodeId())
                || !forward(before.getTask().getStatus(), change.getStatus())) {
            return null;
        }
        Task t = before.getTask();
        Task.Builder next = t.toBuilder().setStatus(change.getStatus());
        if (t.getRunningMs() == 0 && change.getStatus().getState() == TaskState.TASK_STATE_RUNNING) {
            // when it first ran, on the worker's clock as its end will be (rolling updates' monitor)
            next.setRunningMs(change.getStatus().getTimestampMs() != 0 ? change.getStatus().getTimestampMs() : timestamp);
        }
        StoreObject after = StoreObject.newBuilder().setTask(next
                .setMeta(Meta.newBuilder().setVersion(index).setCreatedMs(t.getMeta().getCreatedMs()).setUpdatedMs(timestamp))).build();
        tables.get(ObjectKind.TASK).put(t.getId(), after);
        byId.get(ObjectKind.TASK).put(t.getId(), after);
        index(before, after);
        countPlacement(before, after);
        return new StoreEvent(StoreEvent.Type.UPDATE, index, before, after, true, timestamp);
    }

    private void countPlacement(StoreObject before, StoreObject after) {
        if (after.hasTask() && after.getTask().getStatus().getState() == TaskState.TASK_STATE_ASSIGNED
                && (before == null || before.getTask().getStatus().getState() != TaskState.TASK_STATE_ASSIGNED)) {
            placements++; // only apply writes, under the write lock
            placementDelays.accept(schedulingDelay(after.getTask()));
        }
    }

    /**
     * How long a task waited to be placed: from the change that asked for it to its placement, both
     * as committed. That change is its service's create, update or scale when the task runs that
     * very version of the service (its tasks are made and placed by the next pass of the loops), or
     * else the task's own creation (a replacement, or a task that waited for a node that fits).
     */
    private long schedulingDelay(Task t) {
        long start = t.getMeta().getCreatedMs();
        StoreObject service = byId.get(ObjectKind.SERVICE).get(t.getServiceId());
        if (service != null && service.getService().getMeta().getVersion() == t.getSpecVersion()) {
            start = Math.min(start, service.getService().getMeta().getUpdatedMs());
        }
        return Math.max(0, t.getMeta().getUpdatedMs() - start);
    }

    /**
     * Where each placement's scheduling delay goes (ms, see {@link #schedulingDelay}), as this replica
     * applies it; called under the store's lock, so keep it cheap.
     */
    public void onPlacement(LongConsumer delayMs) {
        this.placementDelays = delayMs;
    }

    /** How many tasks this replica has seen placed (turn ASSIGNED) since it started; snapshots do not count. */
    public long placements() {
        return placements;
    }

    /** How many objects of a kind the store holds. */
    public int count(ObjectKind kind) {
        lock.readLock().lock();
        try {
            return tables.get(kind).size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** How many tasks are in an observed state. */
    public int count(TaskState state) {
        lock.readLock().lock();
        try {
            return taskIndexes.count(TaskIndex.STATE, state);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether a reported status moves a task's status forward: a later state, or new details of the same one. */
    public static boolean forward(TaskStatus current, TaskStatus reported) {
        int now = current.getState().getNumber();
        int next = reported.getState().getNumber();
        return next > now || (next == now && !reported.equals(current) && reported.getTimestampMs() >= current.getTimestampMs());
    }

    /** Everything, in a deterministic order (kind, then id), at the applied index. */
    public StoreSnapshot snapshot() {
        lock.readLock().lock();
        try {
            return snapshotLocked();
        } finally {
            lock.readLock().unlock();
        }
    }

    private StoreSnapshot snapshotLocked() {
        StoreSnapshot.Builder b = StoreSnapshot.newBuilder().setIndex(appliedIndex).setFormat(StoreFormat.WRITTEN);
        for (ObjectKind k : ObjectKind.values()) {
            b.addAllObjects(tables.get(k).values());
        }
        return b.build();
    }

    /**
     * Replaces the whole state; every open watch gets one RESET event.
     *
     * @throws StoreFormat.TooNew when the snapshot's format is newer than this build's (nothing changed)
     */
    public void restore(StoreSnapshot snapshot) {
        StoreFormat.checkReadable(snapshot.getFormat(), "the store snapshot at Raft index " + snapshot.getIndex());
        Runnable due;
        lock.writeLock().lock();
        try {
            for (ObjectKind k : ObjectKind.values()) {
                tables.get(k).clear();
                byId.get(k).clear();
                names.get(k).clear();
            }
            taskIndexes.clear();
            for (StoreObject stored : snapshot.getObjectsList()) {
                ObjectKind k = StoreObjects.kind(stored);
                // services come before tasks in a snapshot (kind order), so tasks share their specs here too
                StoreObject o = k == ObjectKind.TASK ? StoreObject.newBuilder().setTask(shareSpec(stored.getTask())).build() : stored;
                tables.get(k).put(StoreObjects.id(o), o);
                byId.get(k).put(StoreObjects.id(o), o);
                index(null, o);
                if (k.uniqueNames() && !StoreObjects.name(o).isEmpty()) {
                    names.get(k).put(StoreObjects.name(o), StoreObjects.id(o));
                }
            }
            appliedIndex = snapshot.getIndex();
            StoreEvent reset = new StoreEvent(StoreEvent.Type.RESET, appliedIndex, null, null);
            watches.forEach(w -> w.offer(reset));
            due = waiters.reach(appliedIndex);
        } finally {
            lock.writeLock().unlock();
        }
        due.run();
    }

    /**
     * Subscribes to changes: the returned watch holds the state at subscription time
     * ({@link Watch#initial()}) and then receives every later event, in order. A slow reader
     * never blocks {@link #apply}: beyond {@link #WATCH_CAPACITY} events its watch holds one RESET
     * instead (list everything again). Close the watch when done.
     */
    public Watch watch() {
        return watch(WATCH_CAPACITY);
    }

    /** As {@link #watch()}, holding at most {@code capacity} events. Visible for tests. */
    Watch watch(int capacity) {
        lock.readLock().lock();
        try {
            Watch w = new Watch(snapshotLocked(), watches::remove, capacity);
            watches.add(w);
            return w;
        } finally {
            lock.readLock().unlock();
        }
    }
}
