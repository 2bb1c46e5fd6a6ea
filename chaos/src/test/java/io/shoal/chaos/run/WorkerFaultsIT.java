package io.shoal.chaos.run;

import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.Placement;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.ReplicatedService;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Worker faults on real hosts: three managers and two workers (h4, h5), a replicated service on
 * the workers, and h4 cut from every manager with nftables in the hosts' namespaces.
 * <ol>
 *   <li>Without {@code stop-tasks-after-disconnect} (swarm's behaviour): h4's tasks start on h5 after
 *       the Down grace while h4 keeps its copies; once healed, h4 stops them, and once converged
 *       each slot runs exactly once (read from the OCI runtime on the hosts, not only from the store). The
 *       sampler of (b) must see slots on both workers here, so (b) can fail.</li>
 *   <li>With the option far shorter than the down-after plus the grace: h4 stops its containers
 *       itself, before their replacements start, so at no sampled moment does a slot run on two
 *       hosts; the stop is reported, with its reason, once h4 is back.</li>
 * </ol>
 * Every wait is for a condition, with a generous timeout; nothing asserts on time.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl chaos -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=WorkerFaultsIT
 * </pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerFaultsIT {
    private static final String SUBNET = "10.217.15";
    private static final String CUT = "h4";
    private static final String KEPT = "h5";
    private static final List<String> WORKERS = List.of(CUT, KEPT);
    private static final int REPLICAS = 4;
    /** Down after 4 heartbeats of 500 ms, then this grace: replacements start some 14 s after the cut. */
    private static final String DOWN_GRACE = "12s";
    /** The option in (b): far below the 14 s above, so h4's copies are gone long before. */
    private static final long STOP_AFTER_MS = 2_000;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static ChaosLab lab;
    private static Managers managers;
    private static Partitions partitions;
    private static String image;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(ChaosLab.available(), "needs root, ip netns and nft");
        lab = new ChaosLab("shoal-chaos-workers", 3, 2);
        lab.up(SUBNET, "--node-down-grace " + DOWN_GRACE);
        image = lab.registry();
        managers = new Managers(lab, SUBNET);
        partitions = new Partitions(lab, SUBNET);
    }

    @AfterAll
    static void down() {
        if (lab == null) {
            return;
        }
        try {
            if (partitions != null) {
                partitions.heal(allHosts());
            }
            if (managers != null) {
                managers.close();
            }
        } finally {
            lab.close();
        }
    }

    @Test
    @Order(1)
    void withoutTheOptionTheCutWorkerKeepsItsCopiesUntilItIsBackThenEachSlotRunsOnce() throws Exception {
        String svc = "wf-default";
        create(svc, 0);
        Map<String, Task> placed = awaitConverged(svc);
        Set<String> onCut = runningOn(placed, CUT);
        assertTrue(!onCut.isEmpty(), "the service spreads over both workers: " + placed.keySet());

        Sampler sampler = new Sampler(svc);
        Thread sampling = Thread.ofPlatform().name("worker-faults-sampler").start(sampler);
        try {
            cutFromManagers();
            try {
                await("h4's tasks run again on h5, after the Down grace", () -> {
                    Map<Integer, Task> running = runningTasksByHost(svc, KEPT);
                    return running.size() == REPLICAS ? null : running.size() + " of " + REPLICAS + " running on h5";
                });
                // what swarm does: the cut worker heard nothing, so it still runs its copies...
                assertEquals(onCut, intersect(lab.runningTasks(CUT), onCut), "h4 keeps its containers while it is cut off");
                // ...and the sampler that finds none in (b) sees these (h4 cannot stop them before the heal)
                await("the sampler sees slots run on both workers", () -> sampler.doubles.isEmpty()
                        ? "none seen in " + sampler.samples + " samples" + (sampler.failure == null ? "" : ": " + sampler.failure) : null);
            } finally {
                partitions.heal(allHosts());
            }
        } finally {
            sampler.running.set(false);
            sampling.join(Duration.ofMinutes(2));
        }
        System.out.printf("worker faults (a): %d samples, %d sightings of a slot on both workers (expected without the option)%n",
                sampler.samples, sampler.doubles.size());
        Map<String, Task> converged = awaitConverged(svc);
        assertTrue(intersect(lab.runningTasks(CUT), onCut).isEmpty(), "h4 stopped the copies it kept");
        assertEquals(Set.of(KEPT), nodesOf(converged), "the replacements stay where they are");
        remove(svc);
    }

    @Test
    @Order(2)
    void withTheOptionTheCutWorkerStopsItsTasksItselfSoNoSlotEverRunsTwice() throws Exception {
        String svc = "wf-stop";
        create(svc, STOP_AFTER_MS);
        Map<String, Task> placed = awaitConverged(svc);
        Set<String> onCut = runningOn(placed, CUT);
        assertTrue(!onCut.isEmpty(), "the service spreads over both workers: " + placed.keySet());

        Sampler sampler = new Sampler(svc);
        Thread sampling = Thread.ofPlatform().name("worker-faults-sampler").start(sampler);
        try {
            cutFromManagers();
            try {
                await("h4 stops its containers itself", () -> {
                    Set<String> left = intersect(lab.runningTasks(CUT), onCut);
                    return left.isEmpty() ? null : left + " still run on h4";
                });
                await("h4's tasks run again on h5, after the Down grace", () -> {
                    Map<Integer, Task> running = runningTasksByHost(svc, KEPT);
                    return running.size() == REPLICAS ? null : running.size() + " of " + REPLICAS + " running on h5";
                });
            } finally {
                partitions.heal(allHosts());
            }
            awaitConverged(svc);
            await("h4 reports why it stopped them", () -> {
                List<String> unreported = new ArrayList<>();
                for (Task t : tasks(svc).getTasksList()) {
                    if (onCut.contains(t.getId()) && !t.getStatus().getMessage().contains("stop-tasks-after-disconnect")) {
                        unreported.add(t.getId() + " " + t.getStatus().getState() + " '" + t.getStatus().getMessage() + "'");
                    }
                }
                return unreported.isEmpty() ? null : unreported.toString();
            });
        } finally {
            sampler.running.set(false);
            sampling.join(Duration.ofMinutes(2));
        }
        System.out.printf("worker faults (b): %d samples of both workers, slots on two hosts: %s%n", sampler.samples, sampler.doubles);
        assertTrue(sampler.failure == null, "sampling failed: " + sampler.failure);
        assertTrue(sampler.doubles.isEmpty(), "a slot ran on two hosts at once: " + sampler.doubles);
        assertTrue(sampler.samples >= 10, "too few samples to mean anything: " + sampler.samples);
        remove(svc);
    }

    // ------------------------------------------------------------------ the fault and the checks

    private static List<String> allHosts() {
        List<String> all = new ArrayList<>(lab.managerHosts());
        all.addAll(WORKERS);
        return all;
    }

    /** h4 and the managers no longer hear each other (h5 is left alone). */
    private static void cutFromManagers() {
        partitions.split(List.of(CUT), lab.managerHosts());
        partitions.apply();
    }

    private static void create(String name, long stopAfterMs) {
        ServiceSpec spec = ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
                .setTask(TaskSpec.newBuilder()
                        .setContainer(ContainerSpec.newBuilder().setImage(image).addArgs("sleep").addArgs("3600")
                                .setStopGracePeriodMs(1_000).setHasStopGracePeriod(true))
                        .setPlacement(Placement.newBuilder().addConstraints("node.role==worker"))
                        .setStopAfterDisconnectMs(stopAfterMs))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(REPLICAS)).build();
        managers.control("h1", 30_000).createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
    }

    private static void remove(String name) {
        managers.control("h1", 30_000).removeService(RemoveServiceRequest.newBuilder().setService(name).build());
        await("the containers of " + name + " are gone", () -> {
            Set<String> left = new TreeSet<>();
            WORKERS.forEach(h -> left.addAll(lab.runningTasks(h)));
            return left.isEmpty() ? null : left + " still run";
        });
    }

    private static ListTasksResponse tasks(String svc) {
        return managers.control("h1", 30_000).listTasks(ListTasksRequest.newBuilder().setService(svc).build());
    }

    /** The service's tasks the store has RUNNING and wanted RUNNING on HOST, by slot. */
    private static Map<Integer, Task> runningTasksByHost(String svc, String host) {
        ListTasksResponse r = tasks(svc);
        Map<Integer, Task> out = new TreeMap<>();
        for (Task t : r.getTasksList()) {
            if (wanted(t) && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING
                    && host.equals(r.getNodeHostnamesOrDefault(t.getNodeId(), ""))) {
                out.put((int) t.getSlot(), t);
            }
        }
        return out;
    }

    private static boolean wanted(Task t) {
        return t.getDesiredState() == TaskState.TASK_STATE_RUNNING;
    }

    /**
     * Waits until the store and the hosts agree: each slot has one task wanted and RUNNING, and the
     * workers run exactly those tasks' containers (each on its node), so no slot runs twice.
     * Returns those tasks by id, each with its node's hostname as its node id.
     */
    private static Map<String, Task> awaitConverged(String svc) {
        Map<String, Task> out = new TreeMap<>();
        await(svc + " converged: one running container per slot", () -> {
            out.clear();
            ListTasksResponse r = tasks(svc);
            Map<Long, Integer> perSlot = new HashMap<>();
            for (Task t : r.getTasksList()) {
                if (wanted(t) && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING) {
                    perSlot.merge(t.getSlot(), 1, Integer::sum);
                    out.put(t.getId(), t.toBuilder().setNodeId(r.getNodeHostnamesOrDefault(t.getNodeId(), "?")).build());
                }
            }
            if (perSlot.size() != REPLICAS || perSlot.values().stream().anyMatch(n -> n != 1)) {
                return "running per slot in the store: " + perSlot;
            }
            Set<String> taskIds = r.getTasksList().stream().map(Task::getId).collect(Collectors.toSet());
            for (String h : WORKERS) {
                Set<String> ours = intersect(lab.runningTasks(h), taskIds);
                Set<String> expected = runningOn(out, h);
                if (!ours.equals(expected)) {
                    return h + " runs " + ours + ", the store says " + expected;
                }
            }
            return null;
        });
        return out;
    }

    private static Set<String> runningOn(Map<String, Task> tasks, String host) {
        Set<String> out = new TreeSet<>();
        tasks.forEach((id, t) -> {
            if (t.getNodeId().equals(host)) {
                out.add(id);
            }
        });
        return out;
    }

    private static Set<String> nodesOf(Map<String, Task> tasks) {
        Set<String> out = new TreeSet<>();
        tasks.values().forEach(t -> out.add(t.getNodeId()));
        return out;
    }

    private static Set<String> intersect(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.retainAll(b);
        return out;
    }

    /** Polls WHY (null once the condition holds, else what is still wrong) until WAIT has passed. */
    private static void await(String what, Supplier<String> why) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = why.get();
                if (last == null) {
                    return;
                }
            } catch (StatusRuntimeException e) {
                last = e.getStatus().toString();
            }
            Pause.briefly(250);
        }
        throw new AssertionError("timed out after " + WAIT + " waiting until " + what + ": " + last);
    }

    /**
     * Samples what both workers really run, over and over: the runtimes' lists on h4, h5, h4 and h5 again.
     * A container seen running in two listings of one host ran throughout the listing of the other
     * host between them (a task's container never starts again once stopped), so a slot whose task
     * is seen so on one host while another task of the same slot runs on the other host ran on two
     * hosts at once. Slots come from the store (a task keeps its slot).
     */
    private static final class Sampler implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final String svc;
        final List<String> doubles = new CopyOnWriteArrayList<>();
        volatile int samples;
        volatile Throwable failure;
        private final Map<String, Long> slots = new HashMap<>();

        Sampler(String svc) {
            this.svc = svc;
        }

        @Override
        public void run() {
            try {
                while (running.get()) {
                    Set<String> a1 = lab.runningTasks(CUT);
                    Set<String> b1 = lab.runningTasks(KEPT);
                    Set<String> a2 = lab.runningTasks(CUT);
                    Set<String> b2 = lab.runningTasks(KEPT);
                    check(intersect(a1, a2), b1);
                    check(intersect(b1, b2), a2);
                    samples++;
                }
            } catch (RuntimeException | AssertionError e) {
                failure = e;
            }
        }

        private void check(Set<String> throughout, Set<String> other) {
            Map<Long, String> held = new HashMap<>();
            for (String id : throughout) {
                Long slot = slot(id);
                if (slot != null) {
                    held.put(slot, id);
                }
            }
            for (String id : other) {
                Long slot = slot(id);
                if (slot != null && held.containsKey(slot) && !held.get(slot).equals(id)) {
                    doubles.add("slot " + slot + ": " + held.get(slot) + " and " + id);
                }
            }
        }

        /** The slot of a task of the service, or null for a container of another service. */
        private Long slot(String taskId) {
            if (!slots.containsKey(taskId)) {
                try {
                    tasks(svc).getTasksList().forEach(t -> slots.put(t.getId(), t.getSlot()));
                } catch (StatusRuntimeException e) {
                    return null; // read again at the next sample
                }
                slots.putIfAbsent(taskId, null);
            }
            return slots.get(taskId);
        }
    }
}
