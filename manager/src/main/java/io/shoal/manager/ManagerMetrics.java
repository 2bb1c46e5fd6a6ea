package io.shoal.manager;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.shoal.api.TaskState;
import io.shoal.manager.dispatcher.Dispatcher;
import io.shoal.manager.orchestrator.LoopRunner;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;

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
 * {@code shoal_loop_time_seconds_total{loop}}.
 */
public final class ManagerMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();

    ManagerMetrics(MeterRegistry registry, ClusterStore store, Dispatcher dispatcher, LoopRunner loops, BooleanSupplier leader) {
        this.registry = registry;
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

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
