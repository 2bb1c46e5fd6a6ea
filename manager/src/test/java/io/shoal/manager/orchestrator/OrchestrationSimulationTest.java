package io.shoal.manager.orchestrator;

import io.shoal.api.Annotations;
import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeSpec;
import io.shoal.api.NodeStatus;
import io.shoal.api.ReplicatedService;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.orchestrator.replicated.ReplicatedOrchestrator;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.manager.store.Watch;
import io.shoal.scheduler.Scheduler;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The leader's loops (replicated orchestrator, scheduler, reaper) and fake workers, driven
 * single-threaded by a seeded random sequence of events over the in-memory store. After every
 * event the invariants must hold; at the end, with the disruptions over, every service must have
 * converged. A failure names its seed: rerun one with -Dsim.seed=N.
 */
class OrchestrationSimulationTest {
    private static final long GB = 1L << 30;
    private static final int NODES = 5;
    private static final int STEPS = 150;

    private final class Sim {
        final long seed;
        final Random rnd;
        final ClusterStore store = new ClusterStore();
        long now = 1_000;
        int ids;
        final StoreWriter writer;
        final LoopRunner loops;
        final Map<String, Long> versions = new HashMap<>();
        int step;
        private final Watch watch = store.watch();
        private Changes.Gatherer pending = new Changes.Gatherer();

        Sim(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
            this.writer = new StoreWriter(store, new LocalProposer(store, () -> now));
            this.loops = new LoopRunner(store, writer, List.of(
                    new ReplicatedOrchestrator(() -> "t" + (++ids)),
                    new SchedulingLoop(new Scheduler()),
                    new TaskReaper(3)), () -> now, 1000);
            List<StoreAction> nodes = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                nodes.add(Batches.create(StoreObjects.wrap(Node.newBuilder().setId("n" + i)
                        .setSpec(NodeSpec.getDefaultInstance())
                        .setDescription(NodeDescription.newBuilder().setHostname("n" + i)
                                .setResources(Resources.newBuilder().setNanoCpus(4_000_000_000L).setMemoryBytes(8 * GB)))
                        .setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build())));
            }
            write(nodes);
        }

        void write(List<StoreAction> actions) {
            writer.update(tx -> actions);
        }

        String where() {
            return "seed " + seed + " step " + step + " (rerun: -Dsim.seed=" + seed + ")";
        }

        /** Incremental passes over what changed (as the leader runs them), then a full pass, until nothing is written. */
        void settle() {
            drain(pending);
            Changes changes = pending.changes();
            pending = new Changes.Gatherer();
            for (int i = 0; i < 30; i++) {
                long before = store.appliedIndex();
                loops.pass(changes);
                Changes.Gatherer g = new Changes.Gatherer();
                drain(g);
                if (store.appliedIndex() == before) {
                    if (changes.all()) {
                        return;
                    }
                    changes = Changes.ALL;
                } else {
                    changes = g.changes();
                }
            }
            fail("loops did not settle: " + where());
        }

        private void drain(Changes.Gatherer g) {
            try {
                StoreEvent e;
                while ((e = watch.poll(0, TimeUnit.MILLISECONDS)) != null) {
                    g.add(e);
                }
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        void randomEvent() {
            now += rnd.nextInt(2000);
            List<Service> services = store.view(tx -> tx.services());
            List<Node> nodes = store.view(tx -> tx.nodes());
            List<Task> tasks = store.view(tx -> tx.tasks());
            int kind = rnd.nextInt(100);
            if (kind < 10 && services.size() < 6) {
                String id = "s" + (++ids);
                long mem = rnd.nextBoolean() ? 0 : GB * (1 + rnd.nextInt(2));
                write(List.of(Batches.create(StoreObjects.wrap(Service.newBuilder().setId(id)
                        .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(id))
                                .setReplicated(ReplicatedService.newBuilder().setReplicas(rnd.nextInt(9)))
                                .setTask(TaskSpec.newBuilder().setResources(ResourceRequirements.newBuilder()
                                        .setReservations(Resources.newBuilder().setMemoryBytes(mem)))))
                        .build()))));
            } else if (kind < 20 && !services.isEmpty()) {
                Service s = services.get(rnd.nextInt(services.size()));
                write(List.of(Batches.update(StoreObjects.wrap(s.toBuilder().setSpec(s.getSpec().toBuilder()
                        .setReplicated(ReplicatedService.newBuilder().setReplicas(rnd.nextInt(9)))).build()))));
            } else if (kind < 21 && !services.isEmpty()) {
                Service s = services.get(rnd.nextInt(services.size()));
                var task = s.getSpec().getTask().toBuilder();
                task.getContainerBuilder().addEnv("V=" + now);
                write(List.of(Batches.update(StoreObjects.wrap(s.toBuilder().setSpec(s.getSpec().toBuilder().setTask(task)).build()))));
            } else if (kind < 23 && !services.isEmpty()) {
                write(List.of(Batches.remove(StoreObjects.wrap(services.get(rnd.nextInt(services.size()))))));
            } else if (kind < 26) {
                Node n = nodes.get(rnd.nextInt(nodes.size()));
                var a = n.getSpec().getAvailability() == NodeAvailability.NODE_AVAILABILITY_ACTIVE
                        ? (rnd.nextBoolean() ? NodeAvailability.NODE_AVAILABILITY_DRAIN : NodeAvailability.NODE_AVAILABILITY_PAUSE)
                        : NodeAvailability.NODE_AVAILABILITY_ACTIVE;
                write(List.of(Batches.update(StoreObjects.wrap(n.toBuilder().setSpec(n.getSpec().toBuilder().setAvailability(a)).build()))));
            } else if (kind < 30) {
                Node n = nodes.get(rnd.nextInt(nodes.size()));
                NodeStatus.State st = n.getStatus().getState() == NodeStatus.State.READY ? NodeStatus.State.DOWN : NodeStatus.State.READY;
                write(List.of(Batches.update(StoreObjects.wrap(n.toBuilder().setStatus(NodeStatus.newBuilder().setState(st)).build()))));
            } else if (!tasks.isEmpty()) {
                workerStep(tasks.get(rnd.nextInt(tasks.size())), nodes, rnd.nextInt(10));
            }
        }

        /** What a worker does with a task it was given, if its node is up. */
        void workerStep(Task t, List<Node> nodes, int dice) {
            Node n = nodes.stream().filter(x -> x.getId().equals(t.getNodeId())).findFirst().orElse(null);
            if (n == null || n.getStatus().getState() != NodeStatus.State.READY) {
                return;
            }
            TaskState s = t.getStatus().getState();
            TaskState next = null;
            if (!Tasks.wanted(t) && !Tasks.terminal(t)) {
                next = TaskState.TASK_STATE_SHUTDOWN;
            } else if (s == TaskState.TASK_STATE_ASSIGNED) {
                next = dice == 0 ? TaskState.TASK_STATE_REJECTED : TaskState.TASK_STATE_RUNNING;
            } else if (s == TaskState.TASK_STATE_RUNNING && dice < 2) {
                next = dice == 0 ? TaskState.TASK_STATE_FAILED : TaskState.TASK_STATE_COMPLETE;
            }
            if (next != null) {
                // as the dispatcher writes reports: a status change applied by the store's forward-only rule
                write(List.of(Batches.status(t.getId(), n.getId(), Tasks.status(next, "worker", now))));
            }
        }

        void checkInvariants() {
            store.view(tx -> {
                Map<String, Integer> perSlot = new HashMap<>();
                Map<String, Long> reserved = new HashMap<>();
                for (Task t : tx.tasks()) {
                    if (Tasks.wanted(t) && !Tasks.terminal(t) && t.getSlot() > 0) {
                        int c = perSlot.merge(t.getServiceId() + "." + t.getSlot(), 1, Integer::sum);
                        assertTrue(c == 1, "two live tasks in slot " + t.getServiceId() + "." + t.getSlot() + ": " + where());
                    }
                    if (Tasks.placed(t)) {
                        assertTrue(tx.node(t.getNodeId()).isPresent(), "task on unknown node: " + where());
                        reserved.merge(t.getNodeId(), t.getSpec().getResources().getReservations().getMemoryBytes(), Long::sum);
                    }
                }
                reserved.forEach((node, mem) -> assertTrue(mem <= 8 * GB, "node " + node + " reserves " + mem + ": " + where()));
                for (var kind : ObjectKind.values()) {
                    for (StoreObject o : tx.list(kind)) {
                        long v = StoreObjects.meta(o).getVersion();
                        Long prev = versions.put(StoreObjects.id(o), v);
                        assertTrue(prev == null || prev <= v, "version went back for " + StoreObjects.id(o) + ": " + where());
                    }
                }
                return null;
            });
        }

        void converge() {
            settle();
            store.view(tx -> {
                for (Task t : tx.tasks()) {
                    if (Tasks.wanted(t) && !Tasks.terminal(t) && !t.getNodeId().isEmpty()) {
                        Node n = tx.node(t.getNodeId()).orElseThrow();
                        assertTrue(n.getSpec().getAvailability() != NodeAvailability.NODE_AVAILABILITY_DRAIN,
                                "live task " + t.getId() + " left on drained node " + n.getId() + ": " + where());
                    }
                }
                return null;
            });
            List<StoreAction> up = new ArrayList<>();
            for (Node n : store.view(tx -> tx.nodes())) {
                if (n.getSpec().getAvailability() != NodeAvailability.NODE_AVAILABILITY_ACTIVE) {
                    n = n.toBuilder().setSpec(n.getSpec().toBuilder().setAvailability(NodeAvailability.NODE_AVAILABILITY_ACTIVE)).build();
                    up.add(Batches.update(StoreObjects.wrap(n.toBuilder().setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build())));
                } else if (n.getStatus().getState() != NodeStatus.State.READY) {
                    up.add(Batches.update(StoreObjects.wrap(n.toBuilder().setStatus(NodeStatus.newBuilder().setState(NodeStatus.State.READY)).build())));
                }
            }
            if (!up.isEmpty()) {
                write(up);
            }
            for (int round = 0; round < 50; round++) {
                now += 6_000; // past any restart delay
                settle();
                List<Node> nodes = store.view(tx -> tx.nodes());
                List<Task> moving = store.view(tx -> tx.tasks()).stream()
                        .filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_ASSIGNED || (!Tasks.wanted(t) && !Tasks.terminal(t) && !t.getNodeId().isEmpty()))
                        .toList();
                if (moving.isEmpty()) {
                    break;
                }
                moving.forEach(t -> workerStep(t, nodes, 5));
            }
            settle();
            checkInvariants();
            store.view(tx -> {
                for (Service s : tx.services()) {
                    List<Task> live = tx.tasksOfService(s.getId()).stream().filter(t -> Tasks.wanted(t) && !Tasks.terminal(t)).toList();
                    assertEquals(s.getSpec().getReplicated().getReplicas(), live.size(), "replicas of " + s.getId() + ": " + where());
                    for (Task t : live) {
                        assertEquals(s.getSpec().getTask(), t.getSpec(), "task " + t.getId() + " runs an old spec: " + where());
                        boolean running = t.getStatus().getState() == TaskState.TASK_STATE_RUNNING;
                        boolean explained = t.getStatus().getState() == TaskState.TASK_STATE_PENDING
                                && t.getStatus().getErr().startsWith("no suitable node");
                        assertTrue(running || explained, "task " + t.getId() + " is " + t.getStatus() + ": " + where());
                    }
                }
                return null;
            });
        }
    }

    @Test
    void invariantsHoldAndServicesConvergeForManySeeds() {
        String one = System.getProperty("sim.seed");
        long first = one != null ? Long.parseLong(one) : 1;
        long count = one != null ? 1 : 300;
        for (long seed = first; seed < first + count; seed++) {
            Sim sim = new Sim(seed);
            for (sim.step = 0; sim.step < STEPS; sim.step++) {
                sim.randomEvent();
                sim.settle();
                sim.checkInvariants();
            }
            sim.converge();
        }
    }
}
