package io.shoal.manager.dispatcher;

import io.shoal.api.ClusterSpec;
import io.shoal.manager.ClusterSettings;

import java.time.Duration;

/**
 * How often workers heartbeat and how long a silent node has before it is Down, as a value: a pure
 * function of the cluster's settings, the size of the fleet and the policy before it.
 *
 * <p>The period is the cluster's ({@code shoal init --dispatcher-heartbeat}, or the dispatcher's
 * default while the store has no cluster object), stretched beyond 100 nodes so that the fleet
 * sends at most {@link ClusterSettings#MAX_HEARTBEATS_PER_SECOND}, up to
 * {@link ClusterSettings#MAX_STRETCHED_PERIOD_MS} ({@link ClusterSettings#scaledPeriodMs}); down-after is
 * {@link ClusterSettings#PERIODS_TO_DOWN} periods. When down-after shrinks (nodes left), the longer
 * one still holds for two of the old periods: workers learn the new period only with their next
 * heartbeat answer, and no node is judged by a period it has not been told yet.
 *
 * @param periodMs            the period workers are told now
 * @param downAfterMs         the silence after which a node is Down, from now on
 * @param previousDownAfterMs the longer down-after that still holds until {@code previousUntilMs}
 * @param previousUntilMs     when the previous down-after stops holding (clock milliseconds)
 */
public record HeartbeatPolicy(long periodMs, long downAfterMs, long previousDownAfterMs, long previousUntilMs) {

    /** A policy with no earlier one to honour. */
    public static HeartbeatPolicy of(Duration period, Duration downAfter) {
        return new HeartbeatPolicy(period.toMillis(), downAfter.toMillis(), 0, 0);
    }

    /**
     * The policy once the cluster's settings or the fleet's size changed at {@code now}.
     *
     * @param spec             the cluster's settings, or null while the store has none
     * @param defaultPeriod    the period while the cluster sets none
     * @param defaultDownAfter the down-after while the cluster sets no period
     * @param nodes            how many nodes the cluster has
     */
    public HeartbeatPolicy next(ClusterSpec spec, Duration defaultPeriod, Duration defaultDownAfter, int nodes, long now) {
        long base;
        long downAfter;
        if (spec == null || spec.getHeartbeatPeriodMs() <= 0) {
            base = defaultPeriod.toMillis();
            downAfter = defaultDownAfter.toMillis();
        } else {
            base = ClusterSettings.heartbeatPeriodMs(spec);
            downAfter = ClusterSettings.downAfterMs(spec);
        }
        long period = ClusterSettings.scaledPeriodMs(base, nodes);
        if (period > base) {
            downAfter = Math.max(downAfter, period * ClusterSettings.PERIODS_TO_DOWN);
        }
        if (downAfter < downAfterMs) {
            return new HeartbeatPolicy(period, downAfter, downAfterMs, now + 2 * periodMs);
        }
        return new HeartbeatPolicy(period, downAfter, previousDownAfterMs, previousUntilMs);
    }

    /** The down-after in force at {@code now}: the longer previous one while it still holds. */
    public long downAfterMs(long now) {
        return now < previousUntilMs ? Math.max(downAfterMs, previousDownAfterMs) : downAfterMs;
    }

    /**
     * Whether a node last heard of at {@code lastSeen} is overdue at {@code now}. A node heard of
     * only through a follower's report gets one more period: the report comes up to a period after
     * the heartbeat.
     */
    public boolean overdue(long now, long lastSeen, boolean heardThroughReport) {
        return now - lastSeen > downAfterMs(now) + (heardThroughReport ? periodMs : 0);
    }

    /** How often the liveness tick runs: twice a period, at most every 50 ms. */
    public long tickMs() {
        return Math.max(50, periodMs / 2);
    }
}
