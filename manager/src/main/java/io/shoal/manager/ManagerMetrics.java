package io.shoal.manager;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.shoal.api.TaskState;
import io.shoal.manager.dispatcher.Dispatcher;
import io.shoal.manager.orchestrator.LoopRunner;
import io.shoal.manager.raft.RatisMeters;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.TimedProposer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A manager's meters (Micrometer), read from counters the components keep anyway, so the store,
 * the dispatcher and the loops know nothing of Micrometer. Every replica reports its own store
 * (placements count when this replica applies them, i.e. once committed); the loops' meters move
 * only on the leader. Closing removes the meters (the manager role ended).
 *
 * <p>In Prometheus form: {@code shoal_store_applied_index}, {@code shoal_store_objects{kind}},
 * {@code shoal_tasks{state}}, {@code shoal_tasks_placed_total}, {@code shoal_raft_leader},
 * {@code shoal_dispatcher_sessions}, {@code shoal_dispatcher_heartbeats_total},
 * {@code shoal_dispatcher_task_reports_total}, {@code shoal_dispatcher_status_entries_total},
 * {@code shoal_loop_passes_total{loop}}, {@code shoal_loop_writes_total{loop}},
 * {@code shoal_loop_time_seconds_total{loop}}, the histograms {@code shoal_scheduling_delay_seconds}
 * (a task's creation to its placement, both committed) and {@code shoal_raft_commit_seconds} (a
 * proposal to its result, on the manager that proposed it), and Ratis' own as {@code ratis_*}
 * ({@link RatisMeters}).
 */
public final class ManagerMetrics implements AutoCloseable {
    /** Where the scheduling delay's histogram buckets end (Prometheus: le). */
    static final Duration[] SCHEDULING_BUCKETS = seconds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
    static final Duration[] COMMIT_BUCKETS = seconds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);

    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final ClusterStore store;
    private final TimedProposer proposer;
    private final RatisMeters ratis;

    ManagerMetrics(MeterRegistry registry, ClusterStore store, Dispatcher dispatcher, LoopRunner loops, BooleanSupplier leader,
                   TimedProposer proposer, String nodeId) {
        this.registry = registry;
        this.store = store;
        this.proposer = proposer;
        Timer scheduling = Timer.builder("shoal.scheduling.delay").serviceLevelObjectives(SCHEDULING_BUCKETS)
                .description("From a task's creation to its placement on a node (both as committed), as this manager applied them")
                .register(registry);
        meters.add(scheduling);
        store.onPlacement(ms -> scheduling.record(ms, TimeUnit.MILLISECONDS));
        Timer commits = Timer.builder("shoal.raft.commit").serviceLevelObjectives(COMMIT_BUCKETS)
                .description("From proposing a store write to its result (committed and applied), on the manager that proposed it")
                .register(registry);
        meters.add(commits);
        proposer.onCommit(nanos -> commits.record(nanos, TimeUnit.NANOSECONDS));
        this.ratis = new RatisMeters(registry, nodeId);
        meters.add(Gauge.builder("shoal.store.applied.index", store, ClusterStore::appliedIndex)
                .description("Raft index of the last entry this manager applied to its store").strongReference(true).register(registry));
        for (ObjectKind k : ObjectKind.values()) {
            meters.add(Gauge.builder("shoal.store.objects", store, s -> s.count(k)).tag("kind", k.word())
                    .description("Objects in this manager's store").strongReference(true).register(registry));
        }
        for (TaskState state : TaskState.values()) {
            if (state == TaskState.UNRECOGNIZED) {
                continue;
            }
            String name = state.name().toLowerCase(Locale.ROOT).replace("task_state_", "");
            meters.add(Gauge.builder("shoal.tasks", store, s -> s.count(state)).tag("state", name)
                    .description("Tasks by observed state").strongReference(true).register(registry));
        }
        meters.add(FunctionCounter.builder("shoal.tasks.placed", store, ClusterStore::placements)
                .description("Tasks placed on a node (turned ASSIGNED), counted as this manager applied them: committed").register(registry));
        meters.add(Gauge.builder("shoal.raft.leader", leader, l -> l.getAsBoolean() ? 1 : 0)
                .description("1 while this manager is the Raft leader").strongReference(true).register(registry));
        meters.add(Gauge.builder("shoal.dispatcher.sessions", dispatcher, Dispatcher::sessionCount)
                .description("Worker sessions this manager serves").strongReference(true).register(registry));
        meters.add(FunctionCounter.builder("shoal.dispatcher.heartbeats", dispatcher, Dispatcher::heartbeatCount)
                .description("Worker heartbeats received").register(registry));
        meters.add(FunctionCounter.builder("shoal.dispatcher.task.reports", dispatcher, Dispatcher::statusReports)
                .description("Task states reported by workers").register(registry));
        meters.add(FunctionCounter.builder("shoal.dispatcher.status.entries", dispatcher, Dispatcher::statusEntries)
                .description("Raft entries written for reported task states").register(registry));
        loops.stats().forEach((loop, st) -> {
            meters.add(FunctionCounter.builder("shoal.loop.passes", st, x -> x.passes().sum()).tag("loop", loop)
                    .description("Passes of a control loop (leader only)").register(registry));
            meters.add(FunctionCounter.builder("shoal.loop.writes", st, x -> x.writes().sum()).tag("loop", loop)
                    .description("Store actions a control loop decided (written with the rest of its pass)").register(registry));
            meters.add(FunctionCounter.builder("shoal.loop.time", st, x -> x.nanos().sum() / (double) TimeUnit.SECONDS.toNanos(1))
                    .tag("loop", loop).baseUnit("seconds").description("Time a control loop spent deciding (the pass's write is shared by all loops)")
                    .register(registry));
        });
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
        store.onPlacement(ms -> { });
        proposer.onCommit(nanos -> { });
        ratis.close();
        meters.forEach(registry::remove);
        meters.clear();
    }
}
