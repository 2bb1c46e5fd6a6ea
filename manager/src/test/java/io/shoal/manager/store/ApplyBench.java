package io.shoal.manager.store;

import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.Node;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.TaskStatus;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.manager.events.EventLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test: what one manager spends applying a deployment's committed entries, per
 * task, as every member of a cluster does: T tasks created already placed (entries of 1,000, as the
 * leader's loops write them), then each reported RUNNING (entries of 1,000, as the dispatcher
 * batches reports), each entry parsed from its bytes as Raft hands it over (made before the clock
 * starts), with the watches a
 * manager keeps (the event recorder and three readers). Prints CPU and bytes allocated per task,
 * summed over the JVM's threads (not GC's or JIT's); the allocation figure does not depend on the
 * machine's load.
 * <pre>
 * mvn -B -pl manager -am test -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dtest=ApplyBench [-Dshoal.bench.tasks=10000]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class ApplyBench {
    private static final int NODES = 1000;
    private static final int TASKS = Integer.getInteger("shoal.bench.tasks", 10_000);
    private static final int PER_ENTRY = 1000;
    private static final int ROUNDS = Integer.getInteger("shoal.bench.rounds", 10);
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private long index;

    @Test
    void apply() throws Exception {
        ClusterStore store = new ClusterStore();
        List<Watch> readers = List.of(store.watch(), store.watch(), store.watch());
        try (EventLog events = EventLog.start(store, EventLog.DEFAULT_CAPACITY)) {
            List<StoreAction> setup = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                setup.add(Batches.create(StoreObjects.wrap(Node.newBuilder().setId(String.format("n%05d", i))
                        .setSpec(NodeSpec.getDefaultInstance()).setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build())));
            }
            List<Service> services = new ArrayList<>();
            for (int s = 0; s < 10; s++) {
                Service svc = Service.newBuilder().setId("s" + s).setSpecVersion(1).setSpec(ServiceSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("hollow" + s))
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(TASKS / 10))
                        .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("hollow:1")))).build();
                services.add(svc);
                setup.add(Batches.create(StoreObjects.wrap(svc)));
            }
            apply(store, setup);
            drain(readers);
            for (int round = 1; round <= ROUNDS; round++) {
                List<Task> tasks = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    Service svc = services.get(i % 10);
                    tasks.add(Task.newBuilder().setId(String.format("r%dt%020d", round, i)).setServiceId(svc.getId()).setSlot(i / 10 + 1)
                            .setNodeId(String.format("n%05d", i % NODES)).setSpec(svc.getSpec().getTask()).setSpecVersion(1)
                            .setAnnotations(Annotations.newBuilder().setName(svc.getSpec().getAnnotations().getName() + "." + (i / 10 + 1)))
                            .setDesiredState(TaskState.TASK_STATE_RUNNING)
                            .setStatus(TaskStatus.newBuilder().setState(TaskState.TASK_STATE_ASSIGNED)
                                    .setMessage("scheduler assigned task to node").setTimestampMs(System.currentTimeMillis())).build());
                }
                List<byte[]> creates = new ArrayList<>();
                List<byte[]> reports = new ArrayList<>();
                for (int from = 0; from < tasks.size(); from += PER_ENTRY) {
                    List<Task> entry = tasks.subList(from, from + PER_ENTRY);
                    creates.add(entry(entry.stream().map(t -> Batches.create(StoreObjects.wrap(t))).toList()));
                    reports.add(entry(entry.stream().map(t -> Batches.status(t.getId(), t.getNodeId(),
                            TaskStatus.newBuilder().setState(TaskState.TASK_STATE_RUNNING).setMessage("started")
                                    .setTimestampMs(System.currentTimeMillis()).build())).toList()));
                }
                long recorded = events.history().next();
                Figure created = measure(() -> {
                    creates.forEach(bytes -> {
                        apply(store, bytes);
                        drain(readers);
                    });
                    waitRecorded(events, recorded + TASKS);
                });
                Figure running = measure(() -> {
                    reports.forEach(bytes -> {
                        apply(store, bytes);
                        drain(readers);
                    });
                    waitRecorded(events, recorded + 2L * TASKS);
                });
                System.out.printf("apply: round %d, %d tasks: created %.1f us CPU and %.1f kB per task; reported RUNNING %.1f us and %.1f kB%n",
                        round, TASKS, created.cpuNs / 1e3 / TASKS, created.bytes / 1e3 / TASKS, running.cpuNs / 1e3 / TASKS,
                        running.bytes / 1e3 / TASKS);
                List<StoreAction> removes = new ArrayList<>();
                store.view(tx -> tx.tasks()).forEach(t -> removes.add(Batches.remove(StoreObjects.wrap(t))));
                for (int from = 0; from < removes.size(); from += PER_ENTRY) {
                    apply(store, removes.subList(from, Math.min(removes.size(), from + PER_ENTRY)));
                    drain(readers);
                }
            }
        } finally {
            readers.forEach(Watch::close);
        }
    }

    private record Figure(long cpuNs, long bytes) {}

    /** CPU of the JVM's threads (not its GC's or JIT's, which the machine's load makes vary most) and bytes they allocated. */
    private static Figure measure(Runnable r) {
        long cpu = threadsCpu();
        long bytes = allocated();
        r.run();
        return new Figure(threadsCpu() - cpu, allocated() - bytes);
    }

    private static long threadsCpu() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            sum += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return sum;
    }

    private static long allocated() {
        long sum = 0;
        for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }

    /** An entry's bytes, as the leader proposes them. */
    private static byte[] entry(List<StoreAction> actions) {
        return StoreBatch.newBuilder().addAllActions(actions).setTimestampMs(System.currentTimeMillis())
                .setFormat(StoreFormat.WRITTEN).build().toByteArray();
    }

    private void apply(ClusterStore store, List<StoreAction> actions) {
        apply(store, entry(actions));
    }

    /** As Raft hands an entry to every member: its bytes, parsed. */
    private void apply(ClusterStore store, byte[] bytes) {
        try {
            store.apply(++index, StoreBatch.parseFrom(bytes));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(List<Watch> readers) {
        for (Watch w : readers) {
            try {
                while (w.poll(0, TimeUnit.MILLISECONDS) != null) {
                    // a reader that looks at nothing
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Until the event recorder has recorded {@code count} events: its work is part of the figure. */
    private static void waitRecorded(EventLog events, long count) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (events.history().next() < count && System.nanoTime() < until) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        if (events.history().next() < count) {
            throw new IllegalStateException("the event recorder did not catch up: " + events.history().next() + " of " + count);
        }
    }
}
