package io.shoal.manager.orchestrator.update;

import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateConfig;

/** A service's update and rollback configs as they apply: swarm's defaults where the spec sets none. */
public final class UpdateConfigs {
    /** Swarm's default monitor: how long a new task is watched for failure once it runs. */
    public static final long DEFAULT_MONITOR_MS = 5_000;
    /** Swarm's defaults: one slot at a time, no delay, pause on failure, no failures tolerated, stop-first. */
    public static final UpdateConfig DEFAULT = UpdateConfig.newBuilder()
            .setParallelism(1)
            .setFailureAction(UpdateConfig.FailureAction.PAUSE)
            .setMonitorMs(DEFAULT_MONITOR_MS)
            .setOrder(UpdateConfig.Order.STOP_FIRST)
            .build();

    private UpdateConfigs() {}

    /** The config an update ({@code rollback} false) or a rollback of {@code spec} follows. */
    public static UpdateConfig of(ServiceSpec spec, boolean rollback) {
        if (rollback) {
            return spec.hasRollback() ? spec.getRollback() : DEFAULT;
        }
        return spec.hasUpdate() ? spec.getUpdate() : DEFAULT;
    }

    public static long monitorMs(UpdateConfig c) {
        return c.hasMonitorMs() ? c.getMonitorMs() : DEFAULT_MONITOR_MS;
    }
}
