package io.shoal.manager.dispatcher;

import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.TaskStatusUpdate;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.Proposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StatusBatcherTest {
    private static Task task(String id, String node, TaskState state) {
        return Task.newBuilder().setId(id).setServiceId("s1").setNodeId(node).setDesiredState(TaskState.TASK_STATE_RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(state).setTimestampMs(1)).build();
    }

    private static TaskStatusUpdate report(String id, TaskState state, long ts) {
        return TaskStatusUpdate.newBuilder().setTaskId(id).setStatus(TaskStatus.newBuilder().setState(state).setTimestampMs(ts)).build();
    }

    /**
     * A follower whose store has not applied a task's creation yet still writes the worker's report
     * of it: the leader's store (which has the task) applies it. The report is not lost to the lag.
     */
    @Test
    void aReportOfATaskThisManagerHasNotAppliedYetIsStillWritten() throws Exception {
        ClusterStore leader = new ClusterStore();
        ClusterStore follower = new ClusterStore();
        leader.apply(1, StoreBatch.newBuilder().setTimestampMs(1)
                .addActions(Batches.create(StoreObjects.wrap(task("t1", "n1", TaskState.TASK_STATE_ASSIGNED)))).build());
        // the log as the follower will apply it from here: everything proposed goes to both, at the next index
        Proposer log = new Proposer() {
            long index = 1;

            @Override
            public synchronized CompletableFuture<ApplyResult> propose(StoreBatch batch) {
                index++;
                ApplyResult r = leader.apply(index, batch);
                follower.apply(index, batch); // skips entry 1, which it has not received
                return CompletableFuture.completedFuture(r);
            }
        };
        try (StatusBatcher batcher = new StatusBatcher(new StoreWriter(follower, log), new LongAdder())) {
            batcher.submit("n1", List.of(report("t1", TaskState.TASK_STATE_RUNNING, 5))).get(10, TimeUnit.SECONDS);
            assertEquals(TaskState.TASK_STATE_RUNNING, leader.view(tx -> tx.task("t1")).orElseThrow().getStatus().getState());

            // what the follower's store does show as moot is not written: another node's report, a step back
            long before = leader.appliedIndex();
            follower.apply(before + 1, StoreBatch.newBuilder().setTimestampMs(1)
                    .addActions(Batches.create(StoreObjects.wrap(task("t2", "n2", TaskState.TASK_STATE_RUNNING)))).build());
            batcher.submit("n1", List.of(report("t2", TaskState.TASK_STATE_FAILED, 9))).get(10, TimeUnit.SECONDS);
            assertEquals(before, leader.appliedIndex(), "a report from a node the task is not on is not written");
        }
    }
}
