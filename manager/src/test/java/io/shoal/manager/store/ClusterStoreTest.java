package io.shoal.manager.store;

import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Node;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import io.shoal.api.raft.StoreSnapshot;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterStoreTest {
    private final ClusterStore store = new ClusterStore();

    private static StoreObject node(String id) {
        return StoreObjects.wrap(Node.newBuilder().setId(id).build());
    }

    private static StoreObject service(String id, String name) {
        return StoreObjects.wrap(Service.newBuilder().setId(id)
                .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))).build());
    }

    private static StoreBatch batch(long ts, StoreAction... actions) {
        return StoreBatch.newBuilder().setTimestampMs(ts).addAllActions(List.of(actions)).build();
    }

    @Test
    void versionsAreRaftIndexesAndTimestampsComeFromTheBatch() {
        assertTrue(store.apply(5, batch(1000, Batches.create(node("a")))).getOk());
        Node a = store.view(tx -> tx.node("a")).orElseThrow();
        assertEquals(5, a.getMeta().getVersion());
        assertEquals(1000, a.getMeta().getCreatedMs());
        assertTrue(store.apply(9, batch(2000, Batches.update(StoreObjects.wrap(a.toBuilder()
                .setSpec(a.getSpec().toBuilder().setAnnotations(Annotations.newBuilder().setName("x"))).build())))).getOk());
        Node a2 = store.view(tx -> tx.node("a")).orElseThrow();
        assertEquals(9, a2.getMeta().getVersion());
        assertEquals(1000, a2.getMeta().getCreatedMs(), "created is kept on update");
        assertEquals(2000, a2.getMeta().getUpdatedMs());
        assertTrue(store.apply(10, batch(3000, Batches.remove(StoreObjects.wrap(a2)))).getOk());
        assertTrue(store.view(tx -> tx.node("a")).isEmpty());
        assertEquals(10, store.appliedIndex());
    }

    @Test
    void aBatchAppliesWhollyOrNotAtAll() {
        store.apply(1, batch(1, Batches.create(node("taken"))));
        ApplyResult r = store.apply(2, batch(2, Batches.create(node("fresh")), Batches.create(node("taken"))));
        assertFalse(r.getOk());
        assertEquals("node taken already exists", r.getError());
        assertTrue(store.view(tx -> tx.node("fresh")).isEmpty(), "the first action must not be applied");
        assertEquals(2, store.appliedIndex(), "a rejected entry still advances the applied index");
    }

    @Test
    void staleWritersConflictAndTheWriterRetriesWithAFreshView() {
        store.apply(1, batch(1, Batches.create(node("n"))));
        Node read = store.view(tx -> tx.node("n")).orElseThrow();
        assertTrue(store.apply(2, batch(2, Batches.update(StoreObjects.wrap(read)))).getOk());
        ApplyResult stale = store.apply(3, batch(3, Batches.update(StoreObjects.wrap(read))));
        assertFalse(stale.getOk());
        assertTrue(stale.getError().startsWith("update conflict: node n changed (version 2, expected 1)"), stale.getError());

        // a proposer that lets another write land between the writer's read and its proposal, once
        AtomicInteger calls = new AtomicInteger();
        LocalProposer local = new LocalProposer(store, () -> 42);
        Proposer racing = b -> {
            if (calls.getAndIncrement() == 0) {
                Node cur = store.view(tx -> tx.node("n")).orElseThrow();
                local.propose(batch(0, Batches.update(StoreObjects.wrap(cur))));
            }
            return local.propose(b);
        };
        StoreWriter writer = new StoreWriter(store, racing);
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.node("n").orElseThrow().toBuilder()
                .setAdvertiseAddr("1.2.3.4:1").build()))));
        assertEquals(2, calls.get(), "one conflict, then success on a fresh view");
        assertEquals(6, store.view(tx -> tx.node("n")).orElseThrow().getMeta().getVersion(), "the racing write (4) landed first, then ours (6)");
        assertEquals("1.2.3.4:1", store.view(tx -> tx.node("n")).orElseThrow().getAdvertiseAddr());
    }

    @Test
    void refusalsBecomeStoreExceptionsWithTheReason() {
        StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1));
        StoreException e = assertThrows(StoreException.class,
                () -> writer.update(tx -> List.of(Batches.remove(node("ghost")))));
        assertEquals("node ghost does not exist", e.getMessage());
        assertTrue(writer.update(tx -> List.of()).getOk(), "an empty write proposes nothing");
    }

    @Test
    void serviceNamesAreUniqueIncludingRenames() {
        assertTrue(store.apply(1, batch(1, Batches.create(service("s1", "web")), Batches.create(service("s2", "db")))).getOk());
        ApplyResult dup = store.apply(2, batch(2, Batches.create(service("s3", "web"))));
        assertEquals("service name web is already in use", dup.getError());
        Service db = store.view(tx -> tx.service("s2")).orElseThrow();
        ApplyResult rename = store.apply(3, batch(3, Batches.update(StoreObjects.wrap(db.toBuilder()
                .setSpec(db.getSpec().toBuilder().setAnnotations(Annotations.newBuilder().setName("web"))).build()))));
        assertEquals("service name web is already in use", rename.getError());
        // removing then reusing a name in one batch is fine
        Service web = store.view(tx -> tx.service("s1")).orElseThrow();
        assertTrue(store.apply(4, batch(4, Batches.remove(StoreObjects.wrap(web)), Batches.create(service("s4", "web")))).getOk());
        assertEquals("s4", store.view(tx -> tx.byName(ObjectKind.SERVICE, "web")).orElseThrow().getService().getId());
    }

    @Test
    void replayedIndexesAreIgnored() {
        store.apply(7, batch(1, Batches.create(node("a"))));
        ApplyResult again = store.apply(7, batch(1, Batches.create(node("a"))));
        assertTrue(again.getOk());
        assertEquals(7, again.getIndex());
        assertEquals(1, (int) store.view(tx -> tx.nodes().size()));
    }

    @Test
    void theChangeStreamHasNoGapsUnderConcurrentWrites() throws Exception {
        int n = 1000;
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 1; i <= n; i++) {
                store.apply(i, batch(i, Batches.create(node("n" + i))));
            }
        });
        Thread.sleep(2);
        try (Watch w = store.watch()) {
            writer.join();
            Map<String, StoreObject> state = new HashMap<>();
            w.initial().getObjectsList().forEach(o -> state.put(StoreObjects.id(o), o));
            long expected = w.initial().getIndex() + 1;
            while (expected <= n) {
                StoreEvent e = w.poll(5, TimeUnit.SECONDS);
                assertNotNull(e, "missing event for index " + expected);
                assertEquals(expected, e.index(), "events must be contiguous after the snapshot");
                assertEquals(StoreEvent.Type.CREATE, e.type());
                assertNull(e.before());
                state.put(StoreObjects.id(e.after()), e.after());
                expected++;
            }
            assertNull(w.poll(50, TimeUnit.MILLISECONDS), "no duplicate or extra events");
            assertEquals(store.snapshot().getObjectsList().size(), state.size());
            for (StoreObject o : store.snapshot().getObjectsList()) {
                assertEquals(o, state.get(StoreObjects.id(o)));
            }
        }
    }

    @Test
    void snapshotsRoundTripAndResetWatchers() throws Exception {
        store.apply(1, batch(1, Batches.create(node("a")), Batches.create(service("s", "web"))));
        store.apply(2, batch(2, Batches.create(node("b"))));
        StoreSnapshot snap = StoreSnapshot.parseFrom(store.snapshot().toByteArray());
        ClusterStore other = new ClusterStore();
        try (Watch w = other.watch()) {
            other.restore(snap);
            assertEquals(StoreEvent.Type.RESET, w.poll(1, TimeUnit.SECONDS).type());
        }
        assertEquals(store.snapshot(), other.snapshot());
        assertEquals(2, other.appliedIndex());
        assertEquals("s", other.view(tx -> tx.byName(ObjectKind.SERVICE, "web")).orElseThrow().getService().getId());
    }

    @Test
    void readersNeverSeeHalfABatch() throws Exception {
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 20_000 && torn.get() == null; i++) {
                store.view(tx -> {
                    if (tx.node("x").isPresent() != tx.node("y").isPresent()) {
                        torn.set("saw one of x and y without the other at index " + tx.index());
                    }
                    return null;
                });
            }
        });
        for (int i = 1; i <= 2000; i++) {
            if (i % 2 == 1) {
                store.apply(i, batch(i, Batches.create(node("x")), Batches.create(node("y"))));
            } else {
                List<StoreAction> rm = new ArrayList<>();
                store.view(tx -> {
                    rm.add(Batches.remove(tx.get(ObjectKind.NODE, "x").orElseThrow()));
                    rm.add(Batches.remove(tx.get(ObjectKind.NODE, "y").orElseThrow()));
                    return null;
                });
                store.apply(i, batch(i, rm.toArray(StoreAction[]::new)));
            }
        }
        reader.join();
        assertNull(torn.get());
    }

    @Test
    void tasksAreIndexedByNodeAndServiceThroughUpdatesRemovalsAndRestores() {
        BiFunction<String, String, StoreObject> task = (id, node) -> StoreObjects.wrap(Task.newBuilder()
                .setId(id).setServiceId("s1").setNodeId(node).build());
        store.apply(1, batch(1, Batches.create(task.apply("t1", "n1")), Batches.create(task.apply("t2", "n1")),
                Batches.create(task.apply("t3", "n2"))));
        assertEquals(List.of("t1", "t2"), store.view(tx -> tx.tasksOnNode("n1")).stream().map(Task::getId).toList());
        store.apply(2, batch(2, Batches.update(task.apply("t2", "n2")), Batches.remove(task.apply("t1", "n1"))));
        assertTrue(store.view(tx -> tx.tasksOnNode("n1")).isEmpty());
        assertEquals(List.of("t2", "t3"), store.view(tx -> tx.tasksOnNode("n2")).stream().map(Task::getId).toList());
        assertEquals(2, store.view(tx -> tx.tasksOfService("s1")).size());
        assertEquals(2L, (long) store.view(tx -> tx.tasksOnNode("n2").getFirst().getMeta().getVersion()), "the index holds the stored object");
        ClusterStore copy = new ClusterStore();
        copy.restore(store.snapshot());
        List<Task> original = store.view(tx -> tx.tasksOnNode("n2"));
        List<Task> restored = copy.view(tx -> tx.tasksOnNode("n2"));
        assertEquals(original, restored);
        assertTrue(copy.view(tx -> tx.tasksOnNode("n1")).isEmpty());
    }

    private static TaskStatus status(TaskState state, long ts) {
        return TaskStatus.newBuilder().setState(state).setTimestampMs(ts).build();
    }

    @Test
    void taskStatusReportsApplyOnlyForwardOnlyFromTheTasksNodeAndNeverFailABatch() throws Exception {
        StoreObject t1 = StoreObjects.wrap(Task.newBuilder().setId("t1").setServiceId("s1").setNodeId("n1")
                .setDesiredState(TaskState.TASK_STATE_RUNNING).setStatus(status(TaskState.TASK_STATE_ASSIGNED, 5)).build());
        store.apply(1, batch(1, Batches.create(t1)));
        try (Watch w = store.watch()) {
            ApplyResult r = store.apply(2, batch(20, Batches.status("t1", "n1", status(TaskState.TASK_STATE_RUNNING, 10)),
                    Batches.status("gone", "n1", status(TaskState.TASK_STATE_RUNNING, 10))));
            assertTrue(r.getOk(), "a report of a task that is gone changes nothing and fails nothing: " + r.getError());
            Task now = store.view(tx -> tx.task("t1")).orElseThrow();
            assertEquals(TaskState.TASK_STATE_RUNNING, now.getStatus().getState());
            assertEquals(2, now.getMeta().getVersion());
            assertEquals(20, now.getMeta().getUpdatedMs());
            assertEquals(TaskState.TASK_STATE_RUNNING, store.view(tx -> tx.tasksInState(TaskState.TASK_STATE_RUNNING))
                    .getFirst().getStatus().getState(), "re-indexed by state");
            assertTrue(store.view(tx -> tx.tasksInState(TaskState.TASK_STATE_ASSIGNED)).isEmpty());
            StoreEvent e = w.poll(1, TimeUnit.SECONDS);
            assertEquals(StoreEvent.Type.UPDATE, e.type(), "one event for the change that applied");
            assertEquals(TaskState.TASK_STATE_ASSIGNED, e.before().getTask().getStatus().getState());

            store.apply(3, batch(30, Batches.status("t1", "n1", status(TaskState.TASK_STATE_STARTING, 40)), // backwards
                    Batches.status("t1", "n2", status(TaskState.TASK_STATE_FAILED, 40)),                          // another node
                    Batches.status("t1", "n1", status(TaskState.TASK_STATE_RUNNING, 9))));                       // older details
            assertEquals(2, store.view(tx -> tx.task("t1")).orElseThrow().getMeta().getVersion(), "none of them applied");
            assertNull(w.poll(100, TimeUnit.MILLISECONDS), "and none made an event");
        }
        ApplyResult bad = store.apply(4, batch(40, StoreAction.newBuilder().setKind(StoreAction.Kind.TASK_STATUS).build()));
        assertFalse(bad.getOk());
        assertEquals("invalid write: a task status names no task", bad.getError());
    }

    @Test
    void aDetachedViewIsACopyAndApplyDoesNotWaitForIt() throws Exception {
        assertTrue(store.apply(5, batch(1000, Batches.create(node("a")))).getOk());
        CountDownLatch inView = new CountDownLatch(1);
        CountDownLatch applied = new CountDownLatch(1);
        AtomicReference<String> seen = new AtomicReference<>();
        Thread reader = new Thread(() -> store.detachedView(tx -> {
            inView.countDown();
            try {
                // with the store's lock held (view()) this would wait for an apply that waits for it
                boolean signalled = applied.await(10, TimeUnit.SECONDS);
                seen.set(signalled + " " + tx.index() + " " + tx.nodes().size() + " " + tx.node("b").isPresent());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        reader.start();
        assertTrue(inView.await(10, TimeUnit.SECONDS));
        assertTrue(store.apply(6, batch(2000, Batches.create(node("b")))).getOk());
        applied.countDown();
        reader.join(20_000);
        assertEquals("true 5 1 false", seen.get(), "the copy keeps the state it was taken at, and apply went on meanwhile");
        assertEquals(2, (int) store.view(tx -> tx.nodes().size()));
    }

    /**
     * Property: after any mix of writes and reported states, every task index holds exactly what a
     * scan of all tasks finds; read every 50 writes too, so that a sorted list kept from a read is
     * dropped by the next write (the store's copies are checked alike).
     */
    @Test
    void taskIndexesAgreeWithAScanAfterRandomWrites() {
        Random rnd = new Random(42);
        long index = 1;
        TaskState[] states = {TaskState.TASK_STATE_PENDING, TaskState.TASK_STATE_ASSIGNED,
                TaskState.TASK_STATE_RUNNING, TaskState.TASK_STATE_FAILED};
        for (int step = 0; step < 2_000; step++) {
            String id = "t" + rnd.nextInt(60);
            var current = store.view(tx -> tx.task(id));
            Task.Builder t = Task.newBuilder().setId(id).setServiceId("s" + rnd.nextInt(4))
                    .setNodeId(rnd.nextInt(5) == 0 ? "" : "n" + rnd.nextInt(6))
                    .setStatus(TaskStatus.newBuilder().setState(states[rnd.nextInt(states.length)]));
            StoreAction a;
            if (current.isEmpty()) {
                a = Batches.create(StoreObjects.wrap(t.build()));
            } else if (rnd.nextInt(6) == 0) {
                a = Batches.remove(StoreObjects.wrap(current.get()));
            } else if (rnd.nextBoolean()) {
                a = Batches.status(id, current.get().getNodeId(), t.getStatus().toBuilder().setTimestampMs(step).build());
            } else {
                a = Batches.update(StoreObjects.wrap(rnd.nextBoolean() ? t.setMeta(current.get().getMeta()).build()
                        : current.get().toBuilder().setStatus(t.getStatus()).build()));
            }
            assertTrue(store.apply(++index, batch(step, a)).getOk());
            if (step % 50 == 0) {
                store.view(tx -> indexesAgreeWithAScan(tx, states));
                store.detachedView(tx -> indexesAgreeWithAScan(tx, states));
            }
        }
        store.view(tx -> {
            assertFalse(tx.tasks().isEmpty());
            indexesAgreeWithAScan(tx, states);
            for (var state : states) {
                assertEquals(tx.tasksInState(state).size(), store.count(state));
            }
            return null;
        });
    }

    /** Every task index of {@code tx} (nodes n0-n5 and none, services s0-s3, {@code states}) against a scan of its tasks, which is sorted by id. */
    static Void indexesAgreeWithAScan(ReadTx tx, TaskState[] states) {
        List<Task> all = tx.tasks();
        for (int i = 1; i < all.size(); i++) {
            assertTrue(all.get(i - 1).getId().compareTo(all.get(i).getId()) < 0, "tasks sorted by id");
        }
        for (int n = -1; n < 6; n++) {
            String node = n < 0 ? "" : "n" + n;
            assertEquals(all.stream().filter(t -> t.getNodeId().equals(node)).toList(), tx.tasksOnNode(node), node);
        }
        for (int sv = 0; sv < 4; sv++) {
            String service = "s" + sv;
            assertEquals(all.stream().filter(t -> t.getServiceId().equals(service)).toList(), tx.tasksOfService(service), service);
        }
        for (var state : states) {
            assertEquals(all.stream().filter(t -> t.getStatus().getState() == state).toList(), tx.tasksInState(state), state.name());
        }
        return null;
    }

    @Test
    void tasksShareTheirServicesSpecWhenItIsEqual() throws Exception {
        TaskSpec spec = TaskSpec.newBuilder()
                .setContainer(ContainerSpec.newBuilder().setImage("web:1").addEnv("A=1")).build();
        Service svc = Service.newBuilder().setId("s1").setSpec(ServiceSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("web")).setTask(spec)).build();
        assertTrue(store.apply(5, batch(1000, Batches.create(StoreObjects.wrap(svc)))).getOk());
        // as a follower gets them: each task parsed from its entry, with a spec of its own
        TaskSpec parsed = TaskSpec.parseFrom(spec.toByteArray());
        TaskSpec other = spec.toBuilder().setContainer(spec.getContainer().toBuilder().setImage("web:2")).build();
        assertTrue(store.apply(6, batch(2000,
                Batches.create(StoreObjects.wrap(Task.newBuilder().setId("t1").setServiceId("s1").setSpec(parsed).build())),
                Batches.create(StoreObjects.wrap(Task.newBuilder().setId("t2").setServiceId("s1").setSpec(other).build())))).getOk());
        TaskSpec serviceSpec = store.view(tx -> tx.service("s1")).orElseThrow().getSpec().getTask();
        Assertions.assertSame(serviceSpec, store.view(tx -> tx.task("t1")).orElseThrow().getSpec());
        assertEquals(other, store.view(tx -> tx.task("t2")).orElseThrow().getSpec(), "a different spec is kept as it is");
        // a scale leaves the task spec as it was: the service keeps the instance its tasks share
        Service scaled = store.view(tx -> tx.service("s1")).orElseThrow();
        assertTrue(store.apply(7, batch(3000, Batches.update(StoreObjects.wrap(Service.parseFrom(scaled.toBuilder()
                .setSpec(scaled.getSpec().toBuilder().setReplicated(ReplicatedService.newBuilder().setReplicas(9)))
                .build().toByteArray()))))).getOk());
        Assertions.assertSame(store.view(tx -> tx.task("t1")).orElseThrow().getSpec(),
                store.view(tx -> tx.service("s1")).orElseThrow().getSpec().getTask());
        assertEquals(9, store.view(tx -> tx.service("s1")).orElseThrow().getSpec().getReplicated().getReplicas());
        // and after a restore from a snapshot
        ClusterStore restored = new ClusterStore();
        restored.restore(StoreSnapshot.parseFrom(store.snapshot().toByteArray()));
        Assertions.assertSame(restored.view(tx -> tx.service("s1")).orElseThrow().getSpec().getTask(),
                restored.view(tx -> tx.task("t1")).orElseThrow().getSpec());
        assertEquals(store.snapshot(), restored.snapshot(), "the same state");
    }
}
