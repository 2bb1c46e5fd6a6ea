package io.shoal.e2e;

import io.grpc.ManagedChannel;
import io.shoal.api.ControlGrpc;
import io.shoal.api.Event;
import io.shoal.api.EventFilterValues;
import io.shoal.api.EventsRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Benchmark, not a test: a rolling update of N replicas (default 100) on one node, parallelism 10,
 * no delay, stop-first (the default order), to a new image (busybox:v2 of the lab's registry, pulled
 * during the update). Two figures, from {@code service update} on (the CLI's start included): every
 * replica running the new image, and the CLI's own wait ending (after the update's 5 s monitor).
 * With Docker's engine installed (docker.io), the same update by Docker swarm in the same run, on
 * the lab's second host (skip it with -Dshoal.bench.docker=false). The tasks stop at once on
 * SIGTERM, so the figures are the orchestrators', not a grace period's.
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -pl e2e -am verify -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dshoal.bench=true -Dit.test=UpdateBench \
 *     [-Dshoal.bench.replicas=100 -Dshoal.bench.parallelism=10 "-Dshoal.bench.daemonArgs=--runtime runc"] \
 *     [-Dshoal.bench.perf=/tmp/update.perf]   # then: perf report -i /tmp/update.perf --sort comm
 *     [-Dshoal.bench.jfr=/tmp/update.jfr]     # the daemon's JVM during the update; then: jfr print /tmp/update.jfr
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class UpdateBench {
    private static final int N = Integer.getInteger("shoal.bench.replicas", 100);
    private static final int PARALLELISM = Integer.getInteger("shoal.bench.parallelism", 10);
    /** extra flags for the nodes' {@code shoal daemon}, e.g. {@code --runtime runc} (the default is crun where it is installed) */
    private static final String DAEMON_ARGS = System.getProperty("shoal.bench.daemonArgs", "");
    /** the {@code shoal} launcher of the build to measure (another build's, to compare); this one's by default */
    private static final Path LAUNCHER = Path.of(System.getProperty("shoal.bench.launcher", Lab.REPO.resolve("shoal").toString()));
    /** where to write a system-wide {@code perf record} of the update (until the CLI's wait ended); none when empty */
    private static final String PERF = System.getProperty("shoal.bench.perf", "");
    /** where to write a JFR recording (profile settings) of the daemon during the update, until all ran the new image; none when empty */
    private static final String JFR = System.getProperty("shoal.bench.jfr", "");
    /** list the tasks every this many ms to see the update end, instead of following their events (the old way, to compare) */
    private static final long POLL_MS = Long.getLong("shoal.bench.pollMs", 0);
    private static final String RUN = "trap 'exit 0' TERM; sleep 3600 & wait";
    private static final Duration LIMIT = Duration.ofMinutes(5);

    /** Milliseconds from {@code t0} until the update's CLI ended and until {@code allNew} held. */
    private record Timing(long allNewMs, long cliMs, Lab.Result cli, String cpu) {}

    @Test
    void rollingUpdateOnOneNode() throws Exception {
        try (Lab lab = new Lab("shoal-bench-update", LAUNCHER)) {
            lab.close();
            // h1: Shoal's single node; h2 leaves Shoal and hosts dockerd instead
            Lab.Result up = lab.up(1, 1, "10.213.32", "", DAEMON_ARGS);
            assertEquals(0, up.code(), up.all());
            String image = lab.registry();
            String v2 = image.replace(":latest", ":v2");
            assertEquals(0, lab.cli("h2", "leave").code());
            lab.awaitCli("h1", Duration.ofSeconds(60), x -> x.code() == 0, "node", "rm", "--force", "h2");
            assertEquals(0, lab.host("stop", "h2").code());

            Lab.Result create = lab.cli("h1", "service", "create", "--name", "bench", "--replicas", String.valueOf(N),
                    "--update-parallelism", String.valueOf(PARALLELISM), "--update-delay", "0s", image, "sh", "-c", RUN);
            assertEquals(0, create.code(), create.all());
            ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
            Process perf = null;
            try {
                var control = ControlGrpc.newBlockingStub(ch);
                long sinceNanos = System.currentTimeMillis() * 1_000_000L;
                perf = PERF.isEmpty() ? null : new ProcessBuilder("perf", "record", "-a", "-F", "499", "-o", PERF)
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                BooleanSupplier allNew = () -> {
                    List<Task> tasks = control.listTasks(ListTasksRequest.newBuilder().setService("bench").build()).getTasksList();
                    return tasks.stream().filter(t -> t.getDesiredState() == TaskState.TASK_STATE_RUNNING
                            && t.getStatus().getState() == TaskState.TASK_STATE_RUNNING
                            && t.getSpec().getContainer().getImage().replaceFirst("@sha256:.*", "").equals(v2)).count() == N;
                };
                String daemonPid = Files.readString(lab.hostDir("h1").resolve("daemon.pid")).strip();
                if (!JFR.isEmpty()) {
                    jcmd(daemonPid, "JFR.start", "name=update", "settings=profile");
                }
                Timing shoal;
                try (TaskEvents events = TaskEvents.follow(ch, "bench", sinceNanos)) {
                    // woken by the service's task events, not a list of its 200 tasks every 50 ms (unless POLL_MS asks for that)
                    shoal = timed(() -> lab.cli("h1", "service", "update", "--image", v2, "bench"),
                            deadline -> POLL_MS > 0 ? poll(allNew, POLL_MS, deadline) : events.await(N, allNew, deadline));
                }
                if (!JFR.isEmpty()) {
                    jcmd(daemonPid, "JFR.stop", "name=update", "filename=" + JFR);
                }
                if (perf != null) {
                    perf.toHandle().destroy(); // SIGTERM: perf writes its file and ends
                    perf.waitFor();
                }
                assertEquals(0, shoal.cli().code(), shoal.cli().all());
                System.out.printf("update: Shoal%s, %d replicas on one node, parallelism %d, delay 0, stop-first, new image: all running it "
                        + "%d ms after `service update`; the CLI's wait ended after %d ms (5 s monitor)%n",
                        DAEMON_ARGS.isBlank() ? "" : " (" + DAEMON_ARGS.strip() + ")", N, PARALLELISM, shoal.allNewMs(),
                        shoal.cliMs());
                System.out.printf("update: the machine until all ran the new image: %s; load average %s%n", shoal.cpu(), load());
                List<Event> events = new ArrayList<>();
                control.events(EventsRequest.newBuilder().setSinceNanos(sinceNanos)
                        .setUntilNanos(System.currentTimeMillis() * 1_000_000L)
                        .putFilters("type", EventFilterValues.newBuilder().addValues("task").build()).build())
                        .forEachRemaining(events::add);
                UpdateTimeline.of(events).report().forEach(l -> System.out.println("update: " + l));
                String metrics = lab.exec("h1", "curl", "-sf", "http://" + lab.ip("h1") + ":9323/metrics").out();
                System.out.printf("update: steps on the worker (every task of the run):%s%n", RuntimeBench.steps(metrics));
                assertEquals(0, lab.cli("h1", "service", "rm", "bench").code());
            } finally {
                ch.shutdownNow();
                if (perf != null && perf.isAlive()) {
                    perf.destroyForcibly();
                }
            }
            boolean withDocker = !"false".equals(System.getProperty("shoal.bench.docker"))
                    && Files.isExecutable(Path.of("/usr/sbin/dockerd")) && Files.isExecutable(EngineApiIT.DOCKER);
            if (withDocker) {
                docker(lab, image.substring(0, image.indexOf('/')), image, v2);
            } else {
                System.out.println("update: Docker swarm not measured (no dockerd, or -Dshoal.bench.docker=false)");
            }
        }
    }

    /** The same update by Docker swarm on h2, of the same images from the lab's registry. */
    private static void docker(Lab lab, String registry, String image, String v2) throws Exception {
        try (Dockerd d = Dockerd.start(lab, "h2", registry, "docker-bench-update")) {
            Lab.Result init = d.docker("swarm", "init", "--advertise-addr", lab.ip("h2"));
            assertEquals(0, init.code(), init.all());
            Lab.Result create = d.docker("service", "create", "-q", "--name", "bench", "--replicas", String.valueOf(N),
                    "--update-parallelism", String.valueOf(PARALLELISM), "--update-delay", "0s", image, "sh", "-c", RUN);
            assertEquals(0, create.code(), create.all());
            Timing docker = timed(() -> d.docker("service", "update", "--image", v2, "bench"), deadline -> poll(() -> {
                Lab.Result ps = d.docker("service", "ps", "--filter", "desired-state=running", "--format", "{{.Image}} {{.CurrentState}}", "bench");
                return ps.out().lines().filter(l -> l.startsWith(v2 + " Running")).count() == N;
            }, 250, deadline));
            assertEquals(0, docker.cli().code(), docker.cli().all());
            System.out.printf("update: Docker swarm %s, the same: all running the new image %d ms after `docker service update`; "
                            + "its CLI's wait ended after %d ms%n",
                    d.docker("version", "--format", "{{.Server.Version}}").out().strip(), docker.allNewMs(), docker.cliMs());
            System.out.printf("update: the machine until Docker's tasks all ran the new image: %s%n", docker.cpu());
            d.docker("service", "rm", "bench");
        }
    }

    /** Runs the JDK's jcmd against the JVM {@code pid} (the daemon's), for a recording of the update. */
    private static void jcmd(String pid, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), pid));
        cmd.addAll(List.of(args));
        Lab.Result r = Lab.run(cmd, Duration.ofSeconds(60));
        System.out.printf("update: jcmd %s: %s%n", String.join(" ", args), r.all().strip().replace('\n', ' '));
    }

    /** The first three fields of /proc/loadavg. */
    static String load() throws java.io.IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** Waits for every replica to run the new image: {@link System#nanoTime()} when they did, -1 at the deadline. */
    @FunctionalInterface
    private interface AllNew {
        long await(long deadlineNanos) throws Exception;
    }

    /** Polls {@code holds} every {@code pollMs} (Docker's CLI: each call is a process start on the machine it measures). */
    private static long poll(BooleanSupplier holds, long pollMs, long deadlineNanos) throws InterruptedException {
        while (System.nanoTime() < deadlineNanos) {
            if (holds.getAsBoolean()) {
                return System.nanoTime();
            }
            Thread.sleep(pollMs);
        }
        return -1;
    }

    /** Runs the update's command and, while it runs, waits for {@code allNew}; then for the command to end. */
    private static Timing timed(Supplier<Lab.Result> update, AllNew allNew) throws Exception {
        long t0 = System.nanoTime();
        MachineCpu cpu0 = MachineCpu.now();
        AtomicLong cliEnd = new AtomicLong(-1);
        CompletableFuture<Lab.Result> cli = CompletableFuture.supplyAsync(() -> {
            Lab.Result r = update.get();
            cliEnd.set(System.nanoTime());
            return r;
        });
        long allNewAt = allNew.await(t0 + LIMIT.toNanos());
        String cpu = allNewAt < 0 ? "?" : MachineCpu.now().since(cpu0);
        Lab.Result r = cli.get(Math.max(1, LIMIT.toNanos() - (System.nanoTime() - t0)), TimeUnit.NANOSECONDS);
        return new Timing(allNewAt < 0 ? -1 : (allNewAt - t0) / 1_000_000, (cliEnd.get() - t0) / 1_000_000, r, cpu);
    }
}
