package io.shoal.node;

import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.shoal.api.TaskState;
import io.shoal.worker.agent.TaskManager;
import io.shoal.worker.exec.runc.Phases;
import io.shoal.worker.image.OverlayRootfs;
import io.shoal.worker.net.OverlayPlane;
import io.shoal.net.crypt.Relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A node's own meters beside the JVM's and a manager's: its worker's containers by task state
 * ({@code shoal_worker_containers{state}}), how long its tasks took to start
 * ({@code shoal_worker_task_start_seconds}: from taking a task to its process running, pull
 * included), the steps of a container's start ({@code shoal_worker_task_phase_seconds{phase}}), their
 * image pulls ({@code shoal_worker_image_pull_seconds}), and the calls its gRPC servers answered
 * ({@code grpc_server_*}: by service, method and status, with their latency).
 */
final class WorkerMetrics implements AutoCloseable {
    static final Duration[] START_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
    static final Duration[] PULL_BUCKETS = seconds(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120);
    static final Duration[] CALL_BUCKETS = seconds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5);

    private final MeterRegistry registry;
    private final TaskManager tasks;
    private final List<Meter> meters = new ArrayList<>();

    private WorkerMetrics(MeterRegistry registry, TaskManager tasks) {
        this.registry = registry;
        this.tasks = tasks;
        for (TaskState s : TaskState.values()) {
            if (s == TaskState.UNRECOGNIZED) {
                continue;
            }
            meters.add(Gauge.builder("shoal.worker.containers", tasks, t -> t.countByState().getOrDefault(s, 0))
                    .tag("state", s.name().substring("TASK_STATE_".length()).toLowerCase(Locale.ROOT))
                    .description("This worker's tasks (and their containers) by state, as the worker sees them")
                    .strongReference(true).register(registry));
        }
        Timer start = Timer.builder("shoal.worker.task.start").serviceLevelObjectives(START_BUCKETS)
                .description("From this worker taking a task to its container's process running (image pull included)").register(registry);
        meters.add(start);
        // the same latency under the name it had before (quantiles, not buckets)
        Timer legacy = Timer.builder("shoal_task_start").description("From a task's assignment reaching this worker to its RUNNING")
                .publishPercentiles(0.5, 0.99).register(registry);
        meters.add(legacy);
        tasks.onStarted(nanos -> {
            start.record(nanos, TimeUnit.NANOSECONDS);
            legacy.record(nanos, TimeUnit.NANOSECONDS);
        });
    }

    /** The task meters of {@code tasks}; close when the node's membership ends. */
    static WorkerMetrics bind(MeterRegistry registry, TaskManager tasks) {
        return new WorkerMetrics(registry, tasks);
    }

    /**
     * The packets of encrypted networks this node's relay moved ({@code shoal_overlay_relay_packets{result}}:
     * sealed, opened, unkeyed, refused_REASON); zero while no relay runs, and from zero when it starts again.
     */
    static void bindRelay(MeterRegistry registry, OverlayPlane overlay) {
        for (String name : Relay.counterNames()) {
            Gauge.builder("shoal.overlay.relay.packets", overlay, o -> o.relayCounters().getOrDefault(name, 0L))
                    .tag("result", name).description("Packets of encrypted networks this node's relay moved, by result")
                    .strongReference(true).register(registry);
        }
    }

    /** Image pulls the containers waited for; each also a step ({@code pull}, within {@code rootfs}) of {@code phases}. */
    static void bindPulls(MeterRegistry registry, OverlayRootfs rootfs, Phases phases) {
        Timer pulls = Timer.builder("shoal.worker.image.pull").serviceLevelObjectives(PULL_BUCKETS)
                .description("Image pulls a task waited for (an image already here takes next to nothing)").register(registry);
        rootfs.onPull(nanos -> {
            pulls.record(nanos, TimeUnit.NANOSECONDS);
            phases.record("pull", nanos);
        });
    }

    /**
     * The steps of each container's start, one timer per step ({@code phase}: rootfs, bundle, netns,
     * network, create, start: see {@link Phases}), with p50 and p99.
     */
    static Phases phases(MeterRegistry registry) {
        Map<String, Timer> timers = new ConcurrentHashMap<>();
        return (phase, nanos) -> timers.computeIfAbsent(phase, p -> Timer.builder("shoal.worker.task.phase")
                        .tag("phase", p).publishPercentiles(0.5, 0.99)
                        .description("One step of starting a container on this worker").register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts the calls of a gRPC server by service, method and status, and times them (histogram buckets to 5 s). */
    static ServerInterceptor grpc(MeterRegistry registry) {
        return new MetricCollectingServerInterceptor(registry, c -> c, t -> t.serviceLevelObjectives(CALL_BUCKETS));
    }

    private static Duration[] seconds(double... s) {
        Duration[] d = new Duration[s.length];
        for (int i = 0; i < s.length; i++) {
            d[i] = Duration.ofNanos((long) (s[i] * 1e9));
        }
        return d;
    }

    @Override
    public void close() {
        tasks.onStarted(nanos -> { });
        meters.forEach(registry::remove);
    }
}
