package io.shoal.e2e;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.IssueNodeCertificateRequest;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskSpec;
import io.shoal.api.TaskState;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.node.LocalSocket;
import io.shoal.node.NodeFiles;
import io.shoal.node.Tls;
import io.shoal.manager.ca.Pem;
import io.shoal.worker.fs.Trees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Benchmark, not a test: 3 real manager daemons (separate processes on 127.0.0.1) and N hollow
 * workers in this JVM that speak the real dispatcher protocol over mutual TLS (a certificate each,
 * a session, heartbeats skipped after an answered report as the agent does, the assignments stream,
 * status reports on their stream) but run nothing: an assigned task
 * is reported RUNNING at once. Deploys services totalling T tasks and prints the committed
 * placements per second, the time until every hollow node acknowledged its tasks (its RUNNING
 * report committed: the managers answer a report only then), the managers' RSS and the CPU every
 * process used, and the managers' CPU time per committed placement (user + system from /proc/PID/stat, summed over
 * the three managers from the first create until the leader counted every placement committed; clock ticks of
 * 10 ms, so a round of 10,000 placements reads to about 3 us). Hollow nodes ({@link HollowNode}) connect round robin
 * to the three managers (each serves its sessions); like the real agent, a hollow node whose session fails opens a new
 * one after a jittered, doubling wait ({@link io.shoal.worker.agent.Backoff}: 50-100 ms first, up to 1-2 s), and
 * states whose report went unanswered (a write lost to a leader change) are reported again.
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dshoal.bench=true -Dit.test=none -Dfailsafe.failIfNoSpecifiedTests=false \
 *     -Dtest=HollowNodesBench -Dsurefire.failIfNoSpecifiedTests=false -DargLine=-XX:TieredStopAtLevel=1 \
 *     [-Dshoal.bench.nodes=1000 -Dshoal.bench.tasks=10000 -Dshoal.bench.rounds=2]
 * </pre>
 * {@code -Dshoal.bench.daemonArgs="--election-timeout 2s"} adds flags to the managers' {@code shoal daemon}.
 * The 10 services are created one call after another, or with {@code -Dshoal.bench.concurrentCreates=true}
 * by 10 concurrent calls (several clients at once).
 * The managers run with the daemon's own JVM options; {@code -DargLine=-XX:TieredStopAtLevel=1} keeps
 * this JVM (the load generator, 1,000 TLS clients) from spending a core on C2 compiles that the
 * managers then lack. Round 1 starts on cold managers; each later round first removes every
 * service and waits until no task is left. "Committed" placements are read from the leader's
 * {@code shoal_tasks_placed_total} (its {@code --metrics-addr}), polled every 100 ms, so that time is
 * an upper bound to 0.1 s; "placed and assigned" is when the last hollow node received its task.
 * {@code -Dshoal.bench.out=DIR} keeps the managers' logs in DIR (m1.log is the leader's); with
 * {@code -Dshoal.bench.jfr=true} each manager also records a JFR profile there (m1.jfr). With
 * {@code -Dshoal.bench.profile=cpu} (or {@code alloc}) and {@code -Dshoal.bench.out=DIR}, async-profiler
 * ({@link ManagerProfiler}) records each manager in every warm round, from a second before the first
 * create until the last acknowledgement, into {@code DIR/roundN-mK.collapsed}, and the bench prints
 * each manager's CPU by thread role and the kernel's share ({@link CollapsedStacks}); a diagnosis,
 * not a measurement: attached, the profiler costs the managers a good deal and the round's figures move
 * with it (docs/benchmarks.md, "Where a round's CPU goes, profiled").
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class HollowNodesBench {
    private static final int NODES = Integer.getInteger("shoal.bench.nodes", 1000);
    private static final int TASKS = Integer.getInteger("shoal.bench.tasks", 10_000);
    private static final int SERVICES = 10;
    /** -Dshoal.bench.concurrentCreates=true: the services are created by concurrent calls instead of one after another. */
    private static final boolean CONCURRENT_CREATES = Boolean.getBoolean("shoal.bench.concurrentCreates");
    private static final Path SHOAL = Path.of(System.getProperty("user.dir")).getParent().resolve("shoal");

    final HollowNode.Fleet fleet = new HollowNode.Fleet();
    /** The three managers' CPU with the fleet idle (heartbeats, sessions), in cores summed; measured before the rounds. */
    double idleCores;
    /** With -Dshoal.bench.profile=cpu|alloc (and -Dshoal.bench.out): async-profiler on the managers in each warm round. */
    ManagerProfiler profiler;

    record Daemon(Process process, Path socket, String addr, int metricsPort) {}

    private static Daemon startDaemon(Path dir, String name) throws Exception {
        int port = Ports.freePair();
        Path data = dir.resolve(name);
        Files.createDirectories(data);
        Path socket = dir.resolve(name + ".sock");
        int metricsPort = Ports.freePair();
        ProcessBuilder pb = new ProcessBuilder(SHOAL.toString(), "daemon", "--data-dir", data.toString(), "--socket", socket.toString(),
                "--listen-addr", "127.0.0.1:" + port, "--metrics-addr", "127.0.0.1:" + metricsPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        String daemonArgs = System.getProperty("shoal.bench.daemonArgs", ""); // e.g. --election-timeout 2s
        if (!daemonArgs.isBlank()) {
            pb.command().addAll(List.of(daemonArgs.strip().split("\\s+")));
        }
        String out = System.getProperty("shoal.bench.out"); // a directory for the managers' logs (and profiles)
        String opts = System.getProperty("shoal.bench.javaOpts", ""); // extra JVM options for the managers
        opts += " " + System.getProperty("shoal.bench.javaOpts." + name, ""); // and for this one (m1 is the first leader)
        if (out != null && !out.isEmpty()) {
            opts += " -Xlog:gc:file=" + out + "/" + name + "-gc.log"
                    + (Boolean.getBoolean("shoal.bench.jfr") ? " -XX:StartFlightRecording=filename=" + out + "/" + name
                    + ".jfr,settings=profile,dumponexit=true" : "")
                    + (Boolean.getBoolean("shoal.bench.nmt") ? " -XX:NativeMemoryTracking=summary" : "");
        }
        if (!opts.isBlank()) {
            pb.environment().put("SHOAL_JAVA_OPTS", opts.strip());
        }
        Process p = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(socket)) {
            assertTrue(System.nanoTime() < deadline && p.isAlive(), "daemon " + name + " did not start: " + Files.readString(dir.resolve(name + ".log")));
            Thread.sleep(100);
        }
        return new Daemon(p, socket, "127.0.0.1:" + port, metricsPort);
    }

    private static String cli(Daemon d, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SHOAL.toString(), "--host", "unix://" + d.socket()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", args) + ": " + out);
        return out.strip();
    }

    private static long rssMiB(Process p) throws IOException {
        return statusMiB(p, "VmRSS:");
    }

    /** A size from /proc/PID/status, e.g. VmRSS: or RssAnon: (the heap, the JVM's own and malloc's memory; not the mapped files). */
    private static long statusMiB(Process p, String field) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", String.valueOf(p.pid()), "status"))) {
            if (l.startsWith(field)) {
                return Long.parseLong(l.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    /** One value from a daemon's /metrics (--metrics-addr), e.g. shoal_tasks_placed_total; only that meter is asked for. */
    private static double metric(HttpClient http, Daemon d, String name) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.metricsPort() + "/metrics?name[]=" + name))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in the metrics of " + d.addr()));
    }

    /** Per manager, the GC log's lines already read: {@link #pauses} reports only the pauses since its last call. */
    private final int[] gcLogRead = new int[3];

    /**
     * With -Dshoal.bench.out: each manager's GC pauses since the last call (the end of the round before),
     * from its GC log (-Xlog:gc): how many, their sum and the longest; a leader's pause longer than the
     * election timeout costs it its term.
     */
    private void pauses(int round, int managers) throws IOException {
        String out = System.getProperty("shoal.bench.out");
        if (out == null || out.isEmpty()) {
            return;
        }
        StringBuilder line = new StringBuilder();
        Pattern pause = Pattern.compile("\\] GC\\(\\d+\\) Pause .* ([0-9.]+)ms$");
        for (int i = 0; i < managers; i++) {
            Path log = Path.of(out, "m" + (i + 1) + "-gc.log");
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            int n = 0;
            double sum = 0;
            double max = 0;
            for (String l : lines.subList(Math.min(gcLogRead[i], lines.size()), lines.size())) {
                var m = pause.matcher(l);
                if (m.find()) {
                    double ms = Double.parseDouble(m.group(1));
                    n++;
                    sum += ms;
                    max = Math.max(max, ms);
                }
            }
            gcLogRead[i] = lines.size();
            line.append(String.format("%sm%d %d pauses, %.0f ms in all, longest %.0f ms", i == 0 ? "" : "; ", i + 1, n, sum, max));
        }
        System.out.printf("hollow: round %d: GC pauses since the round before (removal included): %s%n", round, line);
    }

    /** CPU seconds (user + system) a process has used so far, from /proc. */
    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
    }

    private static double[] cpu(List<Daemon> managers) throws IOException {
        double[] c = new double[managers.size() + 1];
        for (int i = 0; i < managers.size(); i++) {
            c[i] = cpuSeconds(managers.get(i).process().pid());
        }
        c[managers.size()] = cpuSeconds(ProcessHandle.current().pid());
        return c;
    }

    /**
     * With -Dshoal.bench.nmt=true: each manager's native memory as the JVM accounts for it (NMT summary)
     * and its mappings (anonymous vs file-backed), into the output directory; {@code histogram} adds a
     * class histogram (it runs a full GC: only at the end, after the settled RSS figures).
     */
    private static void nativeMemory(List<Daemon> managers, String when, boolean histogram) throws Exception {
        String out = System.getProperty("shoal.bench.out");
        if (!Boolean.getBoolean("shoal.bench.nmt") || out == null || out.isEmpty()) {
            return;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        for (int i = 0; i < managers.size(); i++) {
            String name = "m" + (i + 1) + "-" + when;
            long pid = managers.get(i).process().pid();
            Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "VM.native_memory", "summary")
                    .redirectErrorStream(true).redirectOutput(Path.of(out, name + "-nmt.txt").toFile()).start();
            p.waitFor(30, TimeUnit.SECONDS);
            Files.copy(Path.of("/proc", String.valueOf(pid), "smaps_rollup"), Path.of(out, name + "-smaps.txt"), StandardCopyOption.REPLACE_EXISTING);
            if (histogram) {
                Process h = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), "GC.class_histogram")
                        .redirectErrorStream(true).redirectOutput(Path.of(out, name + "-histogram.txt").toFile()).start();
                h.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private void deploy(int round, ControlGrpc.ControlBlockingStub control, List<Daemon> managers, List<HollowNode> hollows) throws Exception {
        fleet.firstSeen.clear();
        fleet.running.set(0);
        hollows.forEach(h -> h.acked.clear());
        long errors0 = fleet.errors.get();
        long messages0 = fleet.messages.get();
        long reports0 = fleet.reports.get();
        long beats0 = fleet.beatsSent.get();
        boolean profiled = profiler != null && round > 1; // the cold round's profile is the JIT's; attached before the
        // CPU is read, so that attaching counts to no round
        if (profiled) {
            profiler.start();
            Thread.sleep(1000); // starting costs each manager a burst (a perf event per thread): not in the round
        }
        double[] cpu0 = cpu(managers);
        String outDir = System.getProperty("shoal.bench.out");
        if (outDir != null && !outDir.isEmpty()) { // lets a profiler attach for the round
            Files.writeString(Path.of(outDir, "round" + round), ProcessHandle.current().pid() + "\n");
        }
        // committed placements, as the leader's store counts them when it applies them (its /metrics)
        HttpClient http = HttpClient.newHttpClient();
        double placed0 = metric(http, managers.get(0), "shoal_tasks_placed_total");
        AtomicLong allCommitted = new AtomicLong();
        AtomicReference<double[]> cpuCommitted = new AtomicReference<>();
        Thread watcher = Thread.ofVirtual().start(() -> {
            try {
                while (metric(http, managers.get(0), "shoal_tasks_placed_total") - placed0 < TASKS) {
                    Thread.sleep(100); // a scrape costs the leader a few ms: often enough, not a load of its own
                }
                allCommitted.set(System.nanoTime());
                cpuCommitted.set(cpu(managers));
            } catch (Exception | AssertionError e) {
                // no figure then
            }
        });
        long start = System.nanoTime();
        List<Thread> creates = new ArrayList<>();
        for (int s = 0; s < SERVICES; s++) {
            CreateServiceRequest create = CreateServiceRequest.newBuilder().setSpec(ServiceSpec.newBuilder()
                    .setAnnotations(Annotations.newBuilder().setName("svc" + round + "-" + s))
                    .setReplicated(ReplicatedService.newBuilder().setReplicas(TASKS / SERVICES))
                    .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("hollow:1")))).build();
            if (CONCURRENT_CREATES) { // all at once, as several clients (or one deploying a whole stack) would
                creates.add(Thread.ofVirtual().start(() -> control.withDeadlineAfter(60, TimeUnit.SECONDS).createService(create)));
            } else {
                control.withDeadlineAfter(60, TimeUnit.SECONDS).createService(create);
            }
        }
        for (Thread t : creates) {
            t.join();
        }
        long created = System.nanoTime();
        // wait until every task is acknowledged, or nothing moved for 30 s
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (fleet.running.get() < TASKS && System.nanoTime() - lastChange < Duration.ofSeconds(30).toNanos()) {
            if (fleet.running.get() != lastCount) {
                lastCount = fleet.running.get();
                lastChange = System.nanoTime();
            }
            Thread.sleep(20);
        }
        double[] cpu1 = cpu(managers);
        if (profiled) { // from before the first create until the last acknowledgement
            List<CollapsedStacks> profiles = profiler.stop("round" + round);
            for (int i = 0; i < profiles.size(); i++) {
                System.out.printf("hollow: round %d: profile of m%d%s until all were acknowledged: %s%n", round, i + 1,
                        i == 0 ? " (leader)" : "", profiles.get(i).summary());
            }
        }
        if (fleet.running.get() < TASKS) {
            var all = control.withDeadlineAfter(60, TimeUnit.SECONDS).listTasks(ListTasksRequest.getDefaultInstance()).getTasksList();
            Map<String, Long> states = new TreeMap<>();
            for (Task t : all) {
                states.merge(t.getStatus().getState() + "/desired " + t.getDesiredState() + (t.getStatus().getErr().isEmpty() ? "" : " (" + t.getStatus().getErr() + ")"), 1L, Long::sum);
            }
            System.out.printf("hollow: stuck at %d acknowledged; tasks by state: %s%n", fleet.running.get(), states);
            Set<String> unacked = new HashSet<>();
            all.stream().filter(t -> t.getDesiredState() == TaskState.TASK_STATE_RUNNING).forEach(t -> unacked.add(t.getId()));
            hollows.forEach(h -> unacked.removeAll(h.acked));
            System.out.printf("hollow: %d wanted tasks never acknowledged, e.g. %s%n", unacked.size(),
                    all.stream().filter(t -> unacked.contains(t.getId())).limit(3).map(t -> t.getId() + "@" + t.getNodeId() + " " + t.getStatus().getState()).toList());
        }
        watcher.join(Duration.ofSeconds(5));
        watcher.interrupt();
        if (allCommitted.get() > 0) {
            double sec = (allCommitted.get() - start) / 1e9;
            System.out.printf("hollow: round %d: all %d placements committed (the leader's shoal_tasks_placed_total) %.2f s after the first create:"
                    + " %.0f committed placements/s%n", round, TASKS, sec, TASKS / sec);
        }
        double[] cpuAtCommit = cpuCommitted.get();
        if (cpuAtCommit != null) { // comparable across machines: the managers' work per placement, whatever else shares the cores
            double managersCpu = 0;
            for (int i = 0; i < managers.size(); i++) {
                managersCpu += cpuAtCommit[i] - cpu0[i];
            }
            System.out.printf("hollow: round %d: managers' CPU per committed placement %.0f us (%.2f s summed over the %d managers"
                    + " from the first create until all were committed, /proc/PID/stat; goal <= 50 us)%n", round,
                    managersCpu * 1e6 / TASKS, managersCpu, managers.size());
            // the fleet's idle cost runs on during the round: what is left above it is the placements' own
            double idleCpu = idleCores * (allCommitted.get() - start) / 1e9;
            System.out.printf("hollow: round %d: of which the idle fleet's (%.0f%% of a core summed, as measured idle, over the"
                    + " %.2f s) %.2f s; above it %.0f us per placement%n", round, 100 * idleCores, (allCommitted.get() - start) / 1e9,
                    idleCpu, (managersCpu - idleCpu) * 1e6 / TASKS);
        }
        long lastAssigned = fleet.firstSeen.values().stream().mapToLong(Long::longValue).max().orElse(start);
        double placeSec = (lastAssigned - start) / 1e9;
        double ackSec = (fleet.lastRunning.get() - start) / 1e9;
        System.out.printf("hollow: round %d (%s): %d nodes, %d tasks: all placed and assigned %.2f s after the first create (%.0f placements/s);"
                + " all acknowledged RUNNING after %.2f s; %d stream errors%n", round, round == 1 ? "cold managers" : "warm",
                NODES, fleet.firstSeen.size(), placeSec, fleet.firstSeen.size() / Math.max(0.001, placeSec), ackSec, fleet.errors.get() - errors0);
        System.out.printf("hollow: round %d: the %d services created (%s) in %.2f s;"
                + " %d assignments messages received, %d status reports and %d heartbeats sent%n", round, SERVICES,
                CONCURRENT_CREATES ? "by concurrent calls" : "one call after another", (created - start) / 1e9,
                fleet.messages.get() - messages0, fleet.reports.get() - reports0, fleet.beatsSent.get() - beats0);
        System.out.printf("hollow: round %d: CPU used until all were acknowledged (%.1f s on %d cores):"
                + " managers %.1f/%.1f/%.1f s, hollow nodes (this JVM) %.1f s%n", round, ackSec,
                Runtime.getRuntime().availableProcessors(), cpu1[0] - cpu0[0], cpu1[1] - cpu0[1], cpu1[2] - cpu0[2], cpu1[3] - cpu0[3]);
        System.out.printf("hollow: round %d: managers' RSS with %d nodes and %d tasks: %d/%d/%d MiB (leader first; anonymous %d/%d/%d MiB)%n",
                round, NODES, TASKS, rssMiB(managers.get(0).process()), rssMiB(managers.get(1).process()), rssMiB(managers.get(2).process()),
                statusMiB(managers.get(0).process(), "RssAnon:"), statusMiB(managers.get(1).process(), "RssAnon:"),
                statusMiB(managers.get(2).process(), "RssAnon:"));
        pauses(round, managers.size());
        nativeMemory(managers, "round" + round, false);
        assertTrue(fleet.running.get() >= TASKS, "every task acknowledged (more when nodes went Down and tasks moved): " + fleet.running.get());
    }

    /**
     * With -Dshoal.bench.settleSeconds=S: the managers' RSS every 5 s for S seconds after the last round,
     * the fleet idle and the last round's tasks still placed: what a manager holds at rest, beside the
     * figure taken the moment the round ended (a collector that gives memory back does so later), and
     * the CPU each manager used over those 5 s (a collector that keeps the heap small works for it).
     */
    private static void settle(List<Daemon> managers, int seconds) throws Exception {
        for (int s = 5; s <= seconds; s += 5) {
            double[] cpu0 = cpu(managers);
            long t0 = System.nanoTime();
            Thread.sleep(5_000);
            double[] cpu1 = cpu(managers);
            double sec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("hollow: %d s after the last round: managers' RSS %d/%d/%d MiB (anonymous %d/%d/%d MiB),"
                            + " CPU %.0f%%/%.0f%%/%.0f%% of a core%n", s,
                    rssMiB(managers.get(0).process()), rssMiB(managers.get(1).process()), rssMiB(managers.get(2).process()),
                    statusMiB(managers.get(0).process(), "RssAnon:"), statusMiB(managers.get(1).process(), "RssAnon:"),
                    statusMiB(managers.get(2).process(), "RssAnon:"),
                    100 * (cpu1[0] - cpu0[0]) / sec, 100 * (cpu1[1] - cpu0[1]) / sec, 100 * (cpu1[2] - cpu0[2]) / sec);
        }
    }

    /**
     * Removes every service and waits until the managers hold no task (the hollow nodes report them
     * shut down). A remove that fails because the leader changed ("it may have applied: read and
     * retry") is retried after the services are read again.
     */
    private void removeAll(ControlGrpc.ControlBlockingStub control, List<HollowNode> hollows) throws Exception {
        long t0 = System.nanoTime();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        List<Service> services;
        while (!(services = control.withDeadlineAfter(60, TimeUnit.SECONDS).listServices(ListServicesRequest.getDefaultInstance())
                .getServicesList()).isEmpty()) {
            for (Service svc : services) {
                try {
                    control.withDeadlineAfter(60, TimeUnit.SECONDS).removeService(RemoveServiceRequest.newBuilder().setService(svc.getId()).build());
                } catch (StatusRuntimeException e) {
                    assertTrue(e.getStatus().getCode() == Status.Code.UNAVAILABLE && System.nanoTime() < deadline,
                            "removing " + svc.getSpec().getAnnotations().getName() + ": " + e.getStatus());
                    System.out.printf("hollow: removing %s: %s; reading the services again%n", svc.getSpec().getAnnotations().getName(), e.getStatus());
                    break;
                }
            }
        }
        int left;
        while ((left = tasksLeft(control, deadline)) > 0) {
            assertTrue(System.nanoTime() < deadline, left + " tasks still there 120 s after their services were removed");
            Thread.sleep(500);
        }
        System.out.printf("hollow: every service removed and its tasks gone in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    /** How many tasks the store holds; a read that fails while the leader changes (UNAVAILABLE) is read again. */
    private static int tasksLeft(ControlGrpc.ControlBlockingStub control, long deadline) throws InterruptedException {
        while (true) {
            try {
                return control.withDeadlineAfter(60, TimeUnit.SECONDS).listTasks(ListTasksRequest.getDefaultInstance()).getTasksCount();
            } catch (StatusRuntimeException e) {
                assertTrue(e.getStatus().getCode() == Status.Code.UNAVAILABLE && System.nanoTime() < deadline, "listing tasks: " + e.getStatus());
                System.out.printf("hollow: listing tasks: %s; reading again%n", e.getStatus());
                Thread.sleep(100); // a new leader is usually elected within a few hundred ms
            }
        }
    }

    @Test
    void hollowNodesAgainstThreeManagers() throws Exception {
        Path dir = Files.createTempDirectory("shoal-hollow");
        List<Daemon> managers = new ArrayList<>();
        List<HollowNode> hollows = new ArrayList<>();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        try {
            for (int i = 1; i <= 3; i++) {
                managers.add(startDaemon(dir, "m" + i));
            }
            cli(managers.get(0), "init", "--advertise-addr", managers.get(0).addr(), "--listen-addr", managers.get(0).addr());
            String managerToken = cli(managers.get(0), "join-token", "-q", "manager");
            String workerToken = cli(managers.get(0), "join-token", "-q", "worker");
            for (int i = 1; i < 3; i++) {
                cli(managers.get(i), "join", "--token", managerToken, "--advertise-addr", managers.get(i).addr(),
                        "--listen-addr", managers.get(i).addr(), managers.get(0).addr());
            }
            for (Daemon m : managers) { // managers run no tasks here: every task goes to a hollow node
                String id = cli(m, "info", "--format", "json").replaceAll("(?s).*\"NodeID\" : \"([^\"]+)\".*", "$1");
                cli(managers.get(0), "node", "update", "--availability", "drain", id);
            }
            System.out.printf("hollow: 3 managers up; idle RSS %d/%d/%d MiB%n", rssMiB(managers.get(0).process()),
                    rssMiB(managers.get(1).process()), rssMiB(managers.get(2).process()));

            long t0 = System.nanoTime();
            ManagedChannel anon = Tls.channel(managers.get(0).addr(), Tls.bootstrapClient());
            // joins go 16 at a time (each is a certificate and a Raft write of the node)
            ExecutorService joiners = Executors.newFixedThreadPool(16);
            List<Future<HollowNode>> joined = new ArrayList<>();
            for (int i = 0; i < NODES; i++) {
                int n = i;
                joined.add(joiners.submit(() -> {
                    KeyPair kp = NodeKeys.generate();
                    IssueNodeCertificateResponse r = NodeCAGrpc.newBlockingStub(anon).withDeadlineAfter(60, TimeUnit.SECONDS)
                            .issueNodeCertificate(IssueNodeCertificateRequest.newBuilder().setToken(workerToken)
                                    .setCsr(ByteString.copyFrom(NodeKeys.csr(kp, "joining"))).setHostname("hollow-" + n)
                                    .setAdvertiseAddr("127.0.0.1:" + (20000 + n)).setDescription(HollowNode.description()).build());
                    NodeFiles.Identity id = new NodeFiles.Identity(kp.getPrivate(), Pem.parseCertificate(r.getCertPem()),
                            Pem.parseCertificate(r.getCaCertPem()));
                    // callbacks on the transport's own thread: a hollow node's work per message is tiny, and a
                    // hand-off to an executor thread and back per message was a fifth of this JVM's CPU
                    return new HollowNode(NettyChannelBuilder.forTarget(managers.get(n % 3).addr())
                            .sslContext(Tls.client(id)).directExecutor().maxInboundMessageSize(Tls.MAX_MESSAGE_BYTES).build(),
                            timer, fleet);
                }));
            }
            for (var f : joined) {
                hollows.add(f.get());
            }
            joiners.shutdown();
            anon.shutdownNow();
            System.out.printf("hollow: %d nodes joined (certificates issued) in %d ms%n", NODES, (System.nanoTime() - t0) / 1_000_000);
            long t1 = System.nanoTime();
            hollows.forEach(h -> h.open());
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (fleet.sessions.get() < NODES && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            System.out.printf("hollow: %d sessions open in %d ms (%d stream errors)%n", fleet.sessions.get(), (System.nanoTime() - t1) / 1_000_000, fleet.errors.get());
            System.out.printf("hollow: managers' RSS with %d idle nodes: %d/%d/%d MiB%n", NODES, rssMiB(managers.get(0).process()),
                    rssMiB(managers.get(1).process()), rssMiB(managers.get(2).process()));

            // the steady cost of N idle nodes (heartbeats, sessions): CPU over a fixed window
            double[] idle0 = cpu(managers);
            long idleStart = System.nanoTime();
            String outDir = System.getProperty("shoal.bench.out");
            if (outDir != null && !outDir.isEmpty()) {
                Files.writeString(Path.of(outDir, "idle"), managers.stream().map(d -> String.valueOf(d.process().pid()))
                        .collect(Collectors.joining(" ")) + "\n"); // lets a profiler attach for the idle window
            }
            Thread.sleep(Integer.getInteger("shoal.bench.idleSeconds", 5) * 1000L);
            double[] idle1 = cpu(managers);
            double idleSec = (System.nanoTime() - idleStart) / 1e9;
            System.out.printf("hollow: CPU with %d idle nodes: managers %.0f%%/%.0f%%/%.0f%% of a core, hollow nodes %.0f%%%n", NODES,
                    100 * (idle1[0] - idle0[0]) / idleSec, 100 * (idle1[1] - idle0[1]) / idleSec,
                    100 * (idle1[2] - idle0[2]) / idleSec, 100 * (idle1[3] - idle0[3]) / idleSec);
            idleCores = (idle1[0] - idle0[0] + idle1[1] - idle0[1] + idle1[2] - idle0[2]) / idleSec;
            String profile = System.getProperty("shoal.bench.profile", "");
            if (!profile.isEmpty()) {
                assertTrue(outDir != null && !outDir.isEmpty(), "-Dshoal.bench.profile needs -Dshoal.bench.out=DIR for the profiles");
                profiler = ManagerProfiler.of(profile, Path.of(outDir), managers.stream().map(d -> d.process().pid()).toList());
            }
            pauses(0, managers.size());
            nativeMemory(managers, "idle", false);

            ManagedChannel local = LocalSocket.connect(managers.get(0).socket());
            var control = ControlGrpc.newBlockingStub(local);
            // round 1 starts cold (the managers' JIT compilers are still busy); later rounds run on
            // warm managers after every task of the round before is removed, as a long-lived cluster would
            int rounds = Integer.getInteger("shoal.bench.rounds", 2);
            for (int round = 1; round <= rounds; round++) {
                if (round > 1) {
                    removeAll(control, hollows);
                }
                deploy(round, control, managers, hollows);
            }
            settle(managers, Integer.getInteger("shoal.bench.settleSeconds", 0));
            nativeMemory(managers, "end", true); // the class histogram's full GC last: it frees what a collector had not
            local.shutdownNow();
        } finally {
            timer.shutdownNow();
            hollows.forEach(h -> h.ch.shutdownNow());
            for (Daemon d : managers) {
                d.process().destroy();
            }
            for (Daemon d : managers) {
                if (!d.process().waitFor(20, TimeUnit.SECONDS)) {
                    d.process().destroyForcibly();
                }
            }
            String keep = System.getProperty("shoal.bench.out");
            if (keep != null && !keep.isEmpty()) {
                for (int i = 1; i <= 3; i++) { // the managers' logs beside their profiles
                    Path log = dir.resolve("m" + i + ".log");
                    if (Files.exists(log)) {
                        Files.copy(log, Path.of(keep, "m" + i + ".log"), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            Trees.delete(dir);
        }
    }
}
