package io.shoal.manager.store;

import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StagedTxTest {
    private final ClusterStore store = new ClusterStore();
    private long index = 10;

    private static Task task(String id, String node, TaskState state) {
        return Task.newBuilder().setId(id).setServiceId("s" + (id.hashCode() & 1)).setNodeId(node)
                .setStatus(TaskStatus.newBuilder().setState(state)).build();
    }

    private void commit(List<StoreAction> actions) {
        var r = store.apply(++index, StoreBatch.newBuilder().addAllActions(actions).setTimestampMs(1000).build());
        assertTrue(r.getOk(), r.getError());
    }

    private static List<String> ids(List<Task> tasks) {
        return tasks.stream().map(Task::getId).toList();
    }

    @Test
    void aTaskCreatedThenPlacedInOnePassIsOneCreateOfThePlacedTask() {
        commit(List.of(Batches.create(StoreObjects.wrap(task("t2", "n1", TaskState.TASK_STATE_RUNNING)))));
        List<StoreAction> written = store.view(tx -> {
            StagedTx staged = new StagedTx(tx);
            staged.stage(List.of(Batches.create(StoreObjects.wrap(task("t1", "", TaskState.TASK_STATE_PENDING))),
                    Batches.create(StoreObjects.wrap(task("t3", "", TaskState.TASK_STATE_PENDING)))));
            // a later loop sees them: pending, in id order around the stored one
            assertEquals(List.of("t1", "t3"), ids(staged.tasksInState(TaskState.TASK_STATE_PENDING)));
            assertEquals(List.of("t1", "t2", "t3"), ids(staged.tasks()));
            assertEquals(3, staged.taskCount());
            Task t1 = staged.task("t1").orElseThrow();
            List<StoreEvent> events = staged.stage(List.of(Batches.update(StoreObjects.wrap(t1.toBuilder().setNodeId("n1")
                    .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_ASSIGNED)).build()))));
            assertEquals(1, events.size());
            assertEquals(TaskState.TASK_STATE_PENDING, events.get(0).before().getTask().getStatus().getState());
            assertEquals(List.of("t3"), ids(staged.tasksInState(TaskState.TASK_STATE_PENDING)));
            assertEquals(List.of("t1", "t2"), ids(staged.tasksOnNode("n1")));
            assertEquals(List.of(), ids(staged.tasksOnNode("")).stream().filter("t1"::equals).toList());
            return staged.actions();
        });
        assertEquals(2, written.size(), "t1's update merged into its create");
        assertEquals(StoreAction.Kind.CREATE, written.get(0).getKind());
        assertEquals("n1", written.get(0).getObject().getTask().getNodeId());
        commit(written);
        assertEquals(TaskState.TASK_STATE_ASSIGNED, store.view(tx -> tx.task("t1")).orElseThrow().getStatus().getState());
    }

    @Test
    void twoUpdatesAreOneConditionalOnTheVersionFirstRead() {
        commit(List.of(Batches.create(StoreObjects.wrap(task("t1", "n1", TaskState.TASK_STATE_RUNNING)))));
        long stored = store.view(tx -> tx.task("t1")).orElseThrow().getMeta().getVersion();
        List<StoreAction> written = store.view(tx -> {
            StagedTx staged = new StagedTx(tx);
            Task t = staged.task("t1").orElseThrow();
            staged.stage(List.of(Batches.update(StoreObjects.wrap(t.toBuilder().setDesiredState(TaskState.TASK_STATE_SHUTDOWN).build()))));
            Task again = staged.task("t1").orElseThrow();
            staged.stage(List.of(Batches.update(StoreObjects.wrap(again.toBuilder().setNodeId("n2").build()))));
            return staged.actions();
        });
        assertEquals(1, written.size());
        assertEquals(stored, written.get(0).getExpectedVersion());
        assertEquals(TaskState.TASK_STATE_SHUTDOWN, written.get(0).getObject().getTask().getDesiredState());
        assertEquals("n2", written.get(0).getObject().getTask().getNodeId());
    }

    @Test
    void removalsCancelCreatesAndReplaceUpdates() {
        commit(List.of(Batches.create(StoreObjects.wrap(task("t1", "n1", TaskState.TASK_STATE_RUNNING)))));
        List<StoreAction> written = store.view(tx -> {
            StagedTx staged = new StagedTx(tx);
            staged.stage(List.of(Batches.create(StoreObjects.wrap(task("t0", "", TaskState.TASK_STATE_PENDING)))));
            staged.stage(List.of(Batches.remove(StoreObjects.wrap(staged.task("t0").orElseThrow()))));
            Task t1 = staged.task("t1").orElseThrow();
            staged.stage(List.of(Batches.update(StoreObjects.wrap(t1.toBuilder().setDesiredState(TaskState.TASK_STATE_SHUTDOWN).build()))));
            staged.stage(List.of(Batches.remove(StoreObjects.wrap(staged.task("t1").orElseThrow()))));
            assertTrue(staged.task("t0").isEmpty() && staged.task("t1").isEmpty());
            assertEquals(List.of(), staged.tasks());
            assertEquals(List.of(), staged.tasksOnNode("n1"));
            assertEquals(0, staged.taskCount());
            return staged.actions();
        });
        assertEquals(1, written.size());
        assertEquals(StoreAction.Kind.REMOVE, written.get(0).getKind());
        commit(written);
        assertEquals(0, store.view(ReadTx::taskCount));
    }

    /**
     * Property, over random passes: writing the merged actions of a pass in one batch leaves the
     * store as writing each loop's actions in a batch of its own would, and the staged view is
     * what the store then holds.
     */
    @Test
    void oneMergedWriteEqualsTheLoopsWritingOneByOne() {
        for (int seed = 0; seed < 200; seed++) {
            Random rnd = new Random(seed);
            ClusterStore merged = new ClusterStore();
            ClusterStore oneByOne = new ClusterStore();
            List<StoreAction> initial = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                TaskState[] states = {TaskState.TASK_STATE_PENDING, TaskState.TASK_STATE_ASSIGNED, TaskState.TASK_STATE_RUNNING};
                initial.add(Batches.create(StoreObjects.wrap(task("t" + rnd.nextInt(100), "n" + rnd.nextInt(3), states[rnd.nextInt(3)]))));
            }
            List<StoreAction> unique = new ArrayList<>(initial.stream()
                    .collect(Collectors.toMap(a -> a.getObject().getTask().getId(), a -> a, (a, b) -> a, TreeMap::new)).values());
            assertTrue(merged.apply(1, StoreBatch.newBuilder().addAllActions(unique).build()).getOk());
            assertTrue(oneByOne.apply(1, StoreBatch.newBuilder().addAllActions(unique).build()).getOk());

            int s = seed;
            Map<String, Task> stagedView = new TreeMap<>();
            List<List<StoreAction>> perLoop = new ArrayList<>();
            List<StoreAction> all = merged.view(tx -> {
                StagedTx staged = new StagedTx(tx);
                for (int loop = 0; loop < 4; loop++) {
                    List<StoreAction> actions = randomWrites(staged, rnd, s + "-" + loop);
                    perLoop.add(actions);
                    staged.stage(actions);
                    // the staged view's indexes, read between stages as the loops do, against a scan of its tasks
                    ClusterStoreTest.indexesAgreeWithAScan(staged, new TaskState[]{TaskState.TASK_STATE_PENDING,
                            TaskState.TASK_STATE_ASSIGNED, TaskState.TASK_STATE_RUNNING});
                }
                staged.tasks().forEach(t -> stagedView.put(t.getId(), t));
                return staged.actions();
            });
            assertTrue(merged.apply(2, StoreBatch.newBuilder().addAllActions(all).build()).getOk(), "seed " + seed);
            long idx = 2;
            for (List<StoreAction> loop : perLoop) {
                // a later loop's writes carry the versions read before the pass: not what one-by-one writes compare
                List<StoreAction> unconditional = loop.stream().map(a -> a.toBuilder().setExpectedVersion(0).build()).toList();
                assertTrue(oneByOne.apply(idx++, StoreBatch.newBuilder().addAllActions(unconditional).build()).getOk(), "seed " + seed);
            }
            assertEquals(contents(oneByOne), contents(merged), "seed " + seed);
            Map<String, Task> expected = new TreeMap<>();
            stagedView.forEach((id, t) -> expected.put(id, t.toBuilder().clearMeta().build()));
            assertEquals(expected, contents(merged), "seed " + seed + ": the staged view");
        }
    }

    /** A loop's writes: creates, updates (placements, state changes) and removals of what it reads. */
    private static List<StoreAction> randomWrites(ReadTx tx, Random rnd, String tag) {
        List<StoreAction> out = new ArrayList<>();
        Set<String> touched = new HashSet<>();
        List<Task> tasks = tx.tasks();
        for (int i = 0; i < 6; i++) {
            int op = rnd.nextInt(4);
            if (op == 0 || tasks.isEmpty()) {
                String id = "c" + tag + "-" + i;
                out.add(Batches.create(StoreObjects.wrap(task(id, "", TaskState.TASK_STATE_PENDING))));
                continue;
            }
            Task t = tasks.get(rnd.nextInt(tasks.size()));
            if (!touched.add(t.getId())) {
                continue; // a loop writes an object once per pass
            }
            if (op == 3) {
                out.add(Batches.remove(StoreObjects.wrap(t)));
            } else {
                out.add(Batches.update(StoreObjects.wrap(t.toBuilder().setNodeId("n" + rnd.nextInt(3))
                        .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_ASSIGNED)).build())));
            }
        }
        return out;
    }

    private static Map<String, Task> contents(ClusterStore s) {
        Map<String, Task> m = new TreeMap<>();
        s.view(tx -> tx.tasks()).forEach(t -> m.put(t.getId(), t.toBuilder().clearMeta().build()));
        // the indexes agree with the table
        s.view(tx -> {
            for (Task t : tx.tasks()) {
                assertTrue(tx.tasksOnNode(t.getNodeId()).stream().anyMatch(x -> x.getId().equals(t.getId())));
                assertTrue(tx.tasksInState(t.getStatus().getState()).stream().anyMatch(x -> x.getId().equals(t.getId())));
            }
            return null;
        });
        return m;
    }
}
