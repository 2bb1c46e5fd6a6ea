package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: one node, a cached image. First one task at a time (10 services of one
 * replica, one after the other): per task the time from its creation in the store to RUNNING,
 * the start latency when nothing else starts. Then N replicas (default 50). Prints the time from
 * `service create` to all N RUNNING, per task the time from the task's creation in the store to
 * its RUNNING report (p50, p99): scheduling, assignment, overlay mount, conmon + runc start; and
 * the worker's own measure of a task's start, from its assignment reaching the worker to RUNNING
 * ({@code shoal_task_start_seconds} on its metrics) and the steps of that start
 * ({@code shoal_worker_task_phase_seconds}).
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dit.test=RuntimeBench \
 *     [-Dshoal.bench.replicas=50 "-Dshoal.bench.daemonArgs=--runtime runc"] [-Dshoal.bench.startPerf=/tmp/start.perf]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class RuntimeBench {
    private static final int N = Integer.getInteger("shoal.bench.replicas", 50);
    /** extra flags for the node's {@code shoal daemon}, e.g. {@code --runtime runc} (the default is crun where it is installed) */
    private static final String DAEMON_ARGS = System.getProperty("shoal.bench.daemonArgs", "");
    /** the {@code shoal} launcher of the build to measure (another build's, to compare); this one's by default */
    private static final Path LAUNCHER = Path.of(System.getProperty("shoal.bench.launcher", Lab.REPO.resolve("shoal").toString()));
    /** services of one replica created one after the other, before the N replicas */
    private static final int SINGLE_ROUNDS = Integer.getInteger("shoal.bench.singleRounds", 10);
    /** where to write a system-wide {@code perf record} of the N replicas' start (until all RUNNING); none when empty */
    private static final String PERF = System.getProperty("shoal.bench.startPerf", "");

    /** A sample's value in Prometheus's text format ({@code name} with its labels), or "?" when absent. */
    static String metric(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).map(l -> l.substring(name.length() + 1).trim()).findFirst().orElse("?");
    }

    /** The worker's step timers ({@code shoal_worker_task_phase_seconds}) in its metrics' text: " step p50 X ms, p99 Y ms;" each. */
    static String steps(String metrics) {
        StringBuilder phases = new StringBuilder();
        for (String p : List.of("pull", "rootfs", "bundle", "netns", "network", "queue", "create", "start", "stop", "remove")) {
            String label = "shoal_worker_task_phase_seconds{phase=\"" + p + "\",quantile=";
            String p50 = metric(metrics, label + "\"0.5\"}");
            if (!p50.equals("?")) {
                phases.append(String.format(" %s p50 %s ms, p99 %s ms;", p, ms(p50), ms(metric(metrics, label + "\"0.99\"}"))));
            }
        }
        return phases.toString();
    }

    private static String ms(String seconds) {
        try {
            return String.valueOf(Math.round(Double.parseDouble(seconds) * 1000));
        } catch (NumberFormatException e) {
            return seconds;
        }
    }

    @Test
    void convergeReplicasOnOneNode() throws Exception {
        try (Lab lab = new Lab("shoal-bench-runtime", LAUNCHER)) {
            lab.close();
            assertEquals(0, lab.up(1, 0, "10.213.8", "", DAEMON_ARGS).code());
            Lab.Result node = lab.cli("h1", "node", "inspect", "--pretty", "self");
            System.out.printf("runtime: the node's OCI runtime: %s%n", node.out().lines().filter(l -> l.strip().startsWith("Runtimes:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown: " + node.all()));
            String image = lab.lab(Duration.ofMinutes(2), "registry", "--name", lab.name, "--dir", lab.dir.toString()).out().strip();
            // warm the image cache and the JIT with a first service
            assertEquals(0, lab.cli("h1", "service", "create", "--name", "warm", "--replicas", "2", image, "sleep", "3600").code());
            assertEquals(0, lab.cli("h1", "service", "rm", "warm").code());
            ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
            Process perf = null;
            try {
                var control = ControlGrpc.newBlockingStub(ch);
                // one task at a time on an otherwise idle node: the start latency itself, not a queue
                List<Long> single = new ArrayList<>();
                for (int i = 0; i < SINGLE_ROUNDS; i++) {
                    String name = "one" + i;
                    List<Task> one = new ArrayList<>();
                    try (TaskEvents events = TaskEvents.follow(ch, name, System.currentTimeMillis() * 1_000_000L)) {
                        assertEquals(0, lab.cli("h1", "service", "create", "--detach", "--name", name, image, "sleep", "3600").code());
                        events.await(1, () -> {
                            one.clear();
                            one.addAll(control.listTasks(ListTasksRequest.newBuilder().setService(name).build()).getTasksList());
                            return one.size() == 1 && one.getFirst().getStatus().getState() == TaskState.TASK_STATE_RUNNING;
                        }, System.nanoTime() + Duration.ofSeconds(60).toNanos());
                    }
                    if (one.size() == 1 && one.getFirst().getStatus().getState() == TaskState.TASK_STATE_RUNNING) {
                        single.add(one.getFirst().getStatus().getTimestampMs() - one.getFirst().getMeta().getCreatedMs());
                    }
                    assertEquals(0, lab.cli("h1", "service", "rm", name).code());
                }
                Collections.sort(single);
                System.out.printf("runtime: one task at a time (%d rounds), created -> RUNNING: p50 %d ms, min %d ms, max %d ms%n",
                        single.size(), single.get(single.size() / 2), single.getFirst(), single.getLast());
                String alone = lab.exec("h1", "curl", "-sf", "http://" + lab.ip("h1") + ":9323/metrics").out();
                System.out.printf("runtime: task start on the worker so far (assignment received -> RUNNING, the warm-up's and the"
                                + " single ones, %s tasks): p50 %s ms, p99 %s ms, max %s ms%n",
                        metric(alone, "shoal_task_start_seconds_count"), ms(metric(alone, "shoal_task_start_seconds{quantile=\"0.5\"}")),
                        ms(metric(alone, "shoal_task_start_seconds{quantile=\"0.99\"}")), ms(metric(alone, "shoal_task_start_seconds_max")));
                System.out.printf("runtime: steps on the worker so far (the warm-up's 2 tasks and the single ones):%s%n", steps(alone));
                ProcessHandle daemon = ProcessHandle.of(lab.daemonPid("h1")).orElseThrow();
                Duration jvm0 = daemon.info().totalCpuDuration().orElse(Duration.ZERO);
                perf = PERF.isEmpty() ? null : new ProcessBuilder("perf", "record", "-a", "-F", "499", "-o", PERF)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                long t0 = System.currentTimeMillis();
                MachineCpu cpu0 = MachineCpu.now();
                List<Task> tasks = new ArrayList<>();
                // woken by the service's task events, not a list of its tasks every 20 ms
                try (TaskEvents events = TaskEvents.follow(ch, "bench", t0 * 1_000_000L)) {
                    assertEquals(0, lab.cli("h1", "service", "create", "--detach", "--name", "bench", "--replicas", String.valueOf(N),
                            image, "sleep", "3600").code());
                    events.await(N, () -> {
                        tasks.clear();
                        tasks.addAll(control.listTasks(ListTasksRequest.newBuilder().setService("bench").build()).getTasksList());
                        return tasks.stream().filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).count() == N;
                    }, System.nanoTime() + Duration.ofMinutes(5).toNanos());
                }
                long converge = System.currentTimeMillis() - t0;
                String cpu = MachineCpu.now().since(cpu0);
                Duration jvm = daemon.info().totalCpuDuration().orElse(Duration.ZERO).minus(jvm0);
                if (perf != null) {
                    perf.toHandle().destroy(); // SIGTERM: perf writes its file and ends
                    perf.waitFor();
                }
                List<Long> lat = new ArrayList<>();
                for (Task t : tasks) {
                    lat.add(t.getStatus().getTimestampMs() - t.getMeta().getCreatedMs());
                }
                Collections.sort(lat);
                System.out.printf("runtime: %s%d replicas on one node: all RUNNING %d ms after create (CLI start included);"
                                + " task created -> RUNNING p50 %d ms, p99 %d ms, max %d ms%n",
                        DAEMON_ARGS.isBlank() ? "" : "(" + DAEMON_ARGS.strip() + ") ", N, converge, lat.get(lat.size() / 2), lat.get((int) Math.ceil(lat.size() * 0.99) - 1), lat.get(lat.size() - 1));
                System.out.printf("runtime: the machine until all ran: %s; load average %s%n", cpu, UpdateBench.load());
                System.out.printf("runtime: of which the daemon's JVM (manager and worker, not the processes it starts): %.2f CPU-s%n",
                        jvm.toMillis() / 1000.0);
                // the worker's own measure: from an assignment reaching it to the task's RUNNING
                String metrics = lab.exec("h1", "curl", "-sf", "http://" + lab.ip("h1") + ":9323/metrics").out();
                System.out.printf("runtime: task start on the worker (assignment received -> RUNNING, %s tasks): p50 %s ms, p99 %s ms, max %s ms%n",
                        metric(metrics, "shoal_task_start_seconds_count"), ms(metric(metrics, "shoal_task_start_seconds{quantile=\"0.5\"}")),
                        ms(metric(metrics, "shoal_task_start_seconds{quantile=\"0.99\"}")), ms(metric(metrics, "shoal_task_start_seconds_max")));
                System.out.printf("runtime: steps of a start on the worker (every task of the run):%s%n", steps(metrics));
                System.out.printf("runtime: worker RSS with %d containers: %d MiB%n", N, FailoverBench.rssMiB(lab, "h1"));
                assertEquals(0, lab.cli("h1", "service", "rm", "bench").code());
            } finally {
                ch.shutdownNow();
                if (perf != null && perf.isAlive()) {
                    perf.destroyForcibly();
                }
            }
        }
    }
}
