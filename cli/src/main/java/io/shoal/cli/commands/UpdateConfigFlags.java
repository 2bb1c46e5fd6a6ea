package io.shoal.cli.commands;

import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --update-*} and {@code --rollback-*} flags of {@code service create} and
 * {@code service update}: how a service's tasks are replaced when its spec changes, and when it
 * rolls back. A spec that sets none follows swarm's defaults (one slot at a time, no delay, pause
 * on failure, a 5 s monitor, stop-first); the first flag given starts from those defaults, as
 * docker's CLI does.
 */
public final class UpdateConfigFlags {
    /** Swarm's defaults (the manager applies the same to a spec without a config). */
    static final UpdateConfig DEFAULTS = UpdateConfig.newBuilder().setParallelism(1).setMonitorMs(5_000)
            .setFailureAction(UpdateConfig.FailureAction.PAUSE).setOrder(UpdateConfig.Order.STOP_FIRST).build();

    @Option(names = "--update-parallelism", description = "Tasks replaced at once (default 1; 0 replaces all at once).") Long updateParallelism;
    @Option(names = "--update-delay", description = "Wait after a replacement runs before the next slot (default 0s).") String updateDelay;
    @Option(names = "--update-order", description = "stop-first (default) or start-first.") String updateOrder;
    @Option(names = "--update-failure-action", description = "pause (default), continue or rollback.") String updateFailureAction;
    @Option(names = "--update-monitor", description = "How long a new task is watched for failure once it runs (default 5s).") String updateMonitor;
    @Option(names = "--update-max-failure-ratio", description = "Share of failed tasks tolerated, 0 to 1 (default 0).") String updateMaxFailureRatio;
    @Option(names = "--update-progress-deadline", description = "A new task not running this long after it was made counts as a failure (default 0s: none).") String updateDeadline;
    @Option(names = "--rollback-parallelism", description = "Tasks rolled back at once (default 1; 0: all at once).") Long rollbackParallelism;
    @Option(names = "--rollback-delay", description = "Wait between rolled back tasks (default 0s).") String rollbackDelay;
    @Option(names = "--rollback-order", description = "stop-first (default) or start-first.") String rollbackOrder;
    @Option(names = "--rollback-failure-action", description = "pause (default) or continue.") String rollbackFailureAction;
    @Option(names = "--rollback-monitor", description = "How long a rolled back task is watched for failure (default 5s).") String rollbackMonitor;
    @Option(names = "--rollback-max-failure-ratio", description = "Share of failed tasks tolerated during a rollback, 0 to 1 (default 0).") String rollbackMaxFailureRatio;
    @Option(names = "--rollback-progress-deadline", description = "As --update-progress-deadline, for rollbacks.") String rollbackDeadline;

    /** Any of these flags was given. */
    boolean any() {
        return anyUpdate() || anyRollback();
    }

    private boolean anyUpdate() {
        return updateParallelism != null || updateDelay != null || updateOrder != null || updateFailureAction != null
                || updateMonitor != null || updateMaxFailureRatio != null || updateDeadline != null;
    }

    private boolean anyRollback() {
        return rollbackParallelism != null || rollbackDelay != null || rollbackOrder != null || rollbackFailureAction != null
                || rollbackMonitor != null || rollbackMaxFailureRatio != null || rollbackDeadline != null;
    }

    /** Refuses malformed values before anything is asked of the managers. */
    void check(CommandLine cmd) {
        apply(ServiceSpec.newBuilder(), cmd);
    }

    /** Sets the configs the flags name on {@code s}, starting from its own (or swarm's defaults). */
    void apply(ServiceSpec.Builder s, CommandLine cmd) {
        if (anyUpdate()) {
            s.setUpdate(config(s.hasUpdate() ? s.getUpdate() : DEFAULTS, "update", updateParallelism, updateDelay, updateOrder,
                    updateFailureAction, updateMonitor, updateMaxFailureRatio, updateDeadline, cmd));
        }
        if (anyRollback()) {
            s.setRollback(config(s.hasRollback() ? s.getRollback() : DEFAULTS, "rollback", rollbackParallelism, rollbackDelay, rollbackOrder,
                    rollbackFailureAction, rollbackMonitor, rollbackMaxFailureRatio, rollbackDeadline, cmd));
        }
    }

    private static UpdateConfig config(UpdateConfig base, String which, Long parallelism, String delay, String order, String action,
                                       String monitor, String ratio, String deadline, CommandLine cmd) {
        UpdateConfig.Builder b = base.toBuilder();
        if (parallelism != null) {
            if (parallelism < 0) {
                throw new CommandLine.ParameterException(cmd, "--" + which + "-parallelism: must be 0 or more, not " + parallelism);
            }
            b.setParallelism(parallelism);
        }
        if (delay != null) {
            b.setDelayMs(ServiceFlags.duration(delay, "--" + which + "-delay", cmd));
        }
        if (order != null) {
            b.setOrder(switch (order) {
                case "stop-first" -> UpdateConfig.Order.STOP_FIRST;
                case "start-first" -> UpdateConfig.Order.START_FIRST;
                default -> throw new CommandLine.ParameterException(cmd, "--" + which + "-order: '" + order
                        + "' is not stop-first or start-first");
            });
        }
        if (action != null) {
            b.setFailureAction(switch (action) {
                case "pause" -> UpdateConfig.FailureAction.PAUSE;
                case "continue" -> UpdateConfig.FailureAction.CONTINUE;
                case "rollback" -> {
                    if (which.equals("rollback")) {
                        throw new CommandLine.ParameterException(cmd, "--rollback-failure-action: a rollback is never rolled back; use pause or continue");
                    }
                    yield UpdateConfig.FailureAction.ROLLBACK;
                }
                default -> throw new CommandLine.ParameterException(cmd, "--" + which + "-failure-action: '" + action + "' is not one of "
                        + (which.equals("rollback") ? "pause, continue" : "pause, continue, rollback"));
            });
        }
        if (monitor != null) {
            b.setMonitorMs(ServiceFlags.duration(monitor, "--" + which + "-monitor", cmd));
        }
        if (ratio != null) {
            float r;
            try {
                r = Float.parseFloat(ratio);
            } catch (NumberFormatException e) {
                r = Float.NaN;
            }
            if (!(r >= 0 && r <= 1)) {
                throw new CommandLine.ParameterException(cmd, "--" + which + "-max-failure-ratio: '" + ratio + "' is not a number from 0 to 1");
            }
            b.setMaxFailureRatio(r);
        }
        if (deadline != null) {
            b.setProgressDeadlineMs(ServiceFlags.duration(deadline, "--" + which + "-progress-deadline", cmd));
        }
        return b.build();
    }
}
