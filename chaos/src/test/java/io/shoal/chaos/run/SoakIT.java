package io.shoal.chaos.run;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.UpdateServiceRequest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Memory under churn: three managers and a worker run cycles of service create, rolling update,
 * scale up, scale down and remove while every daemon's RSS is sampled. In the first half of the run
 * the worker is also killed and started again every third cycle and the leader every fifth; in
 * the second half, with the same processes throughout, each daemon's live heap and RSS (after a
 * full GC, through jcmd) are read every sixth cycle, with no soak service left. The run fails if a
 * daemon's live heap grew from the first checkpoint to the last beyond what bounded caches explain
 * (the Raft log's entry cache alone holds up to 8 MB): a leak; or if its RSS after the full GC grew
 * as much: the daemon's collector gives back what a full GC frees (docs/node.md), so what stays is
 * the live heap and the JVM's own memory, and a native leak shows there. CI runs 3 minutes;
 * {@code -Dshoal.soak.minutes=30} is the long run whose figures go in docs/benchmarks.md.
 *
 * <pre>
 * mvn -B -pl chaos verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SoakIT -Dshoal.soak.minutes=30
 * </pre>
 */
class SoakIT {
    private static final String SUBNET = "10.217.33";
    private static final String WORKER = "h4";
    private static final Duration WAIT = Duration.ofMinutes(3);
    /** Growth of a live heap that bounded caches explain: the Raft segment cache (24 MB + an open segment), slack. */
    private static final long ALLOWED_GROWTH = 48L << 20;
    /**
     * What is used in a generation's (Serial: "DefNew total 13888K, used 12008K", "Tenured ...") or a whole
     * heap's line of jcmd's GC.heap_info (G1: "committed 50176K, used 26976K"; Shenandoah: "34048K committed,
     * 20333K used").
     */
    private static final Pattern USED = Pattern.compile("(?:total\\s+\\d+K|committed\\s+\\d+K),\\s+used\\s+(\\d+)K|\\d+K committed,\\s+(\\d+)K used");

    private ChaosLab lab;
    private Managers managers;
    private String image;

    @Test
    void churnLeavesNoDaemonWithAGrowingLiveHeap() throws Exception {
        Assumptions.assumeTrue(ChaosLab.available(), "needs root, ip netns and nft");
        long minutes = Long.getLong("shoal.soak.minutes", 3);
        try (ChaosLab soakLab = new ChaosLab("shoal-chaos-soak", 3, 1)) {
            lab = soakLab;
            lab.up(SUBNET, "");
            image = lab.registry();
            managers = new Managers(lab, SUBNET);
            List<String> hosts = new ArrayList<>(lab.managerHosts());
            hosts.add(WORKER);
            RssSampler rss = new RssSampler(hosts);
            Thread sampling = Thread.ofPlatform().name("soak-rss").start(rss);
            Map<String, List<Long>> live = new LinkedHashMap<>();
            Map<String, List<Long>> rssAfterGc = new LinkedHashMap<>();
            Map<String, List<Long>> pids = new LinkedHashMap<>();
            long start = System.nanoTime();
            long end = start + Duration.ofMinutes(minutes).toNanos();
            long faultsUntil = start + Duration.ofMinutes(minutes).toNanos() / 2;
            int cycle = 0;
            int sinceCheckpoint = -1;
            try {
                do {
                    cycle++;
                    boolean faults = System.nanoTime() - faultsUntil < 0;
                    cycle(cycle, faults);
                    // the live heap is compared within one process: checkpoints only once no daemon is killed any more
                    if (!faults && (sinceCheckpoint < 0 || ++sinceCheckpoint == 6 || System.nanoTime() - end >= 0)) {
                        checkpoint(hosts, live, rssAfterGc, pids);
                        sinceCheckpoint = 0;
                    }
                } while (System.nanoTime() - end < 0 || live.isEmpty() || live.get(WORKER).size() < 2);
            } finally {
                rss.running.set(false);
                sampling.join(Duration.ofSeconds(30));
                managers.close();
            }
            System.out.printf("soak: %d cycles in %d s%n%s", cycle, (System.nanoTime() - start) / 1_000_000_000L, rss.report());
            List<String> grew = new ArrayList<>();
            for (String h : hosts) {
                List<Long> heap = live.get(h);
                List<Long> pid = pids.get(h);
                System.out.printf("soak: %s live heap after full GC at each checkpoint (MiB): %s, pids %s%n", h,
                        heap.stream().map(b -> b >> 20).toList(), pid);
                List<Long> rssGc = rssAfterGc.get(h);
                System.out.printf("soak: %s RSS after that full GC (MiB): %s%n", h, rssGc.stream().map(b -> b >> 20).toList());
                assertTrue(pid.stream().distinct().count() == 1, h + "'s daemon changed between checkpoints: " + pid);
                if (grewBeyondBound(heap)) {
                    grew.add(h + "'s live heap: " + (heap.getFirst() >> 20) + " -> " + (heap.getLast() >> 20) + " MiB");
                }
                if (grewBeyondBound(rssGc)) {
                    grew.add(h + "'s RSS after a full GC: " + (rssGc.getFirst() >> 20) + " -> " + (rssGc.getLast() >> 20) + " MiB");
                }
            }
            assertTrue(grew.isEmpty(), "memory kept growing under churn: " + grew);
        }
    }

    /** One cycle: create, update, scale up, scale down, remove; with FAULTS a worker kill every 3rd, a leader kill every 5th. */
    private void cycle(int n, boolean faults) {
        String svc = "soak-" + n;
        call("create " + svc, c -> c.createService(CreateServiceRequest.newBuilder().setSpec(spec(svc, 3, "a")).build()),
                Status.Code.ALREADY_EXISTS);
        awaitRunning(svc, 3);
        if (faults && n % 3 == 0) {
            lab.kill(WORKER);
            lab.start(WORKER);
        }
        update(svc, spec(svc, 3, "b"));
        awaitRunning(svc, 3);
        if (faults && n % 5 == 0) {
            managers.leader("h1").or(() -> managers.leader("h2")).ifPresent(l -> {
                lab.kill(l);
                lab.start(l);
            });
        }
        update(svc, spec(svc, 6, "b"));
        awaitRunning(svc, 6);
        update(svc, spec(svc, 1, "b"));
        awaitRunning(svc, 1);
        call("remove " + svc, c -> c.removeService(RemoveServiceRequest.newBuilder().setService(svc).build()), Status.Code.NOT_FOUND);
    }

    private ServiceSpec spec(String name, long replicas, String value) {
        return ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage(image)
                        .addArgs("sleep").addArgs("3600").addEnv("SOAK=" + value)
                        .setStopGracePeriodMs(1_000).setHasStopGracePeriod(true)))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(replicas)).build();
    }

    /** Updates to SPEC from the version read just before, again on a conflict. */
    private void update(String svc, ServiceSpec spec) {
        call("update " + svc, c -> {
            Service s = c.getService(GetServiceRequest.newBuilder().setService(svc).build());
            return c.updateService(UpdateServiceRequest.newBuilder().setService(svc).setSpec(spec)
                    .setVersion(s.getMeta().getVersion()).build());
        }, null);
    }

    /**
     * Runs CALL through the managers in turn until one answers, for up to {@link #WAIT} (a leader
     * kill makes calls fail for a while); an error of code DONE means an earlier try took effect.
     */
    private <T> void call(String what, Function<ControlGrpc.ControlBlockingStub, T> call, Status.Code done) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        StatusRuntimeException last = null;
        while (System.nanoTime() - deadline < 0) {
            for (String h : lab.managerHosts()) {
                try {
                    call.apply(managers.control(h, 20_000));
                    return;
                } catch (StatusRuntimeException e) {
                    if (done != null && e.getStatus().getCode() == done) {
                        return;
                    }
                    last = e;
                }
            }
            pause();
        }
        fail(what + " did not succeed within " + WAIT + ": " + last);
    }

    private void awaitRunning(String svc, long replicas) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            for (String h : lab.managerHosts()) {
                try {
                    ListServicesResponse r = managers.control(h, 10_000).listServices(ListServicesRequest.getDefaultInstance());
                    for (Service s : r.getServicesList()) {
                        if (s.getSpec().getAnnotations().getName().equals(svc)) {
                            long running = r.getRunningOrDefault(s.getId(), 0);
                            if (running == replicas && s.getSpec().getReplicated().getReplicas() == replicas) {
                                return;
                            }
                            last = running + " of " + replicas + " running";
                        }
                    }
                    break;
                } catch (StatusRuntimeException e) {
                    last = e.getStatus().toString();
                }
            }
            pause();
        }
        fail(svc + " did not reach " + replicas + " running tasks within " + WAIT + ": " + last + "\n" + lab.log(WORKER));
    }

    /** From the first checkpoint to the last, by more than a quarter plus what bounded caches explain. */
    private static boolean grewBeyondBound(List<Long> bytes) {
        return bytes.getLast() > bytes.getFirst() + bytes.getFirst() / 4 + ALLOWED_GROWTH;
    }

    /** Each daemon's live heap after a full GC, its RSS then, and its pid. */
    private void checkpoint(List<String> hosts, Map<String, List<Long>> live, Map<String, List<Long>> rssAfterGc,
                            Map<String, List<Long>> pids) throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (String h : hosts) {
            long pid = lab.pid(h);
            ChaosLab.Result gc = ChaosLab.run(List.of(jcmd.toString(), Long.toString(pid), "GC.run"), Duration.ofSeconds(60), Map.of());
            ChaosLab.Result info = ChaosLab.run(List.of(jcmd.toString(), Long.toString(pid), "GC.heap_info"), Duration.ofSeconds(60), Map.of());
            assertTrue(gc.code() == 0 && info.code() == 0, "jcmd on " + h + " (pid " + pid + "): " + gc.all() + info.all());
            long used = 0;
            Matcher m = USED.matcher(info.out());
            while (m.find()) {
                used += Long.parseLong(m.group(1) != null ? m.group(1) : m.group(2)) << 10;
            }
            assertTrue(used > 0, "no heap figures from jcmd on " + h + ": " + info.out());
            live.computeIfAbsent(h, k -> new ArrayList<>()).add(used);
            long rss = rssBytes(pid);
            assertTrue(rss > 0, "no VmRSS for " + h + " (pid " + pid + ")");
            rssAfterGc.computeIfAbsent(h, k -> new ArrayList<>()).add(rss);
            pids.computeIfAbsent(h, k -> new ArrayList<>()).add(pid);
        }
    }

    /** VmRSS from /proc/PID/status, in bytes; 0 if the process reports none. */
    private static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) << 10;
            }
        }
        return 0;
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Samples every daemon's RSS every 5 s; reports first, median, max and last per host. */
    private final class RssSampler implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<String, List<Long>> samples = new LinkedHashMap<>();
        private final List<String> hosts;

        RssSampler(List<String> hosts) {
            this.hosts = hosts;
            hosts.forEach(h -> samples.put(h, new ArrayList<>()));
        }

        @Override
        public void run() {
            while (running.get()) {
                for (String h : hosts) {
                    try {
                        long rss = rssBytes(lab.pid(h));
                        if (rss > 0) {
                            samples.get(h).add(rss);
                        }
                    } catch (IOException | RuntimeException | AssertionError e) {
                        // a daemon between a kill and its start: no sample
                    }
                }
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        String report() {
            StringBuilder sb = new StringBuilder();
            samples.forEach((h, s) -> {
                if (s.isEmpty()) {
                    return;
                }
                List<Long> sorted = s.stream().sorted().toList();
                sb.append(String.format("soak: %s RSS MiB over %d samples: first %d, median %d, max %d, last %d%n", h, s.size(),
                        s.getFirst() >> 20, sorted.get(sorted.size() / 2) >> 20, sorted.getLast() >> 20, s.getLast() >> 20));
            });
            return sb.toString();
        }
    }
}
