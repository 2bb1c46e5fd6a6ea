package io.shoal.manager;

import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
import io.shoal.net.ipam.IpamState;
import io.shoal.net.plane.PlaneConfig;

import java.time.Duration;
import java.util.Optional;

/**
 * The cluster-wide settings an operator chose at {@code shoal init} (stored in the cluster
 * object), with the defaults for clusters that set none. Every default of the cluster object is
 * written here and nowhere else.
 */
public final class ClusterSettings {
    public static final long DEFAULT_HEARTBEAT_MS = 500;
    /** Finished tasks kept per slot for {@code service ps} (docker's task history retention limit). */
    public static final int DEFAULT_TASK_HISTORY_LIMIT = 5;
    /** Where overlay subnets are carved from, and their size. */
    public static final String DEFAULT_ADDRESS_POOL = "10.0.0.0/8";
    public static final int DEFAULT_SUBNET_SIZE = IpamState.DEFAULT_SUBNET_SIZE;
    /** The UDP port of VXLAN between nodes (IANA's, as docker's default data path port). */
    public static final int DEFAULT_VXLAN_PORT = PlaneConfig.DEFAULT_VXLAN_PORT;
    /** A node is Down after this many heartbeat periods without one. */
    public static final int PERIODS_TO_DOWN = 4;
    /**
     * How long a node stays Down before its tasks are started elsewhere. A worker daemon that is
     * restarted or upgraded is back within a few seconds and adopts its containers (which never
     * stopped); moving its tasks at once would run them twice for a moment and churn the cluster.
     * Docker swarm mode waits for a heartbeat period plus a grace period of several seconds too.
     */
    public static final long DEFAULT_DOWN_GRACE_MS = 5_000;
    /**
     * Heartbeats per second that all managers together take at most while the fleet stretches the
     * period (Nomad's {@code max_heartbeats_per_second}): up to 100 nodes the default period holds;
     * beyond, the period grows by a second per 200 nodes, up to {@link #MAX_STRETCHED_PERIOD_MS} at
     * 1,000 nodes. A heartbeat costs the managers about 250 us of CPU (measured with 1,000 hollow
     * nodes, docs/benchmarks.md), so this keeps an idle fleet of 1,000 nodes at about 5% of a core
     * instead of the half core that 2,000 heartbeats a second took.
     */
    public static final int MAX_HEARTBEATS_PER_SECOND = 200;
    /**
     * The longest period a big fleet stretches the default to: Docker swarm mode's period, whatever
     * the fleet's size, so that a node is Down within 20 s however many there are. 5,000 nodes
     * heartbeat every 5 s (1,000 heartbeats a second). A period the cluster sets is never shortened.
     */
    public static final long MAX_STRETCHED_PERIOD_MS = 5_000;

    /** How long node certificates are valid unless the cluster says otherwise (docker's default). */
    public static final Duration DEFAULT_NODE_CERT_EXPIRY = Duration.ofDays(90);
    /**
     * The shortest certificate lifetime a cluster takes: docker's floor is an hour; a minute lets
     * tests see several renewals of every node within minutes.
     */
    public static final Duration MIN_NODE_CERT_EXPIRY = Duration.ofMinutes(1);

    /** How often encrypted networks' keys are rotated unless the cluster says otherwise (docker's fixed period). */
    public static final Duration DEFAULT_NETWORK_KEY_ROTATION = Duration.ofHours(12);
    /**
     * The shortest rotation period a cluster takes: a key is handed to every node one period before
     * senders use it, so the period must stay well above the time an assignments message takes to
     * reach the nodes; 5 s lets tests see several rotations within a minute.
     */
    public static final Duration MIN_NETWORK_KEY_ROTATION = Duration.ofSeconds(5);

    private ClusterSettings() {}

    public static Duration networkKeyRotation(ClusterSpec spec) {
        return spec.getNetworkKeyRotationMs() > 0 ? Duration.ofMillis(spec.getNetworkKeyRotationMs()) : DEFAULT_NETWORK_KEY_ROTATION;
    }

    public static Duration nodeCertExpiry(ClusterSpec spec) {
        return spec.getNodeCertExpiryMs() > 0 ? Duration.ofMillis(spec.getNodeCertExpiryMs()) : DEFAULT_NODE_CERT_EXPIRY;
    }

    public static long heartbeatPeriodMs(ClusterSpec spec) {
        return spec.getHeartbeatPeriodMs() > 0 ? spec.getHeartbeatPeriodMs() : DEFAULT_HEARTBEAT_MS;
    }

    public static long downAfterMs(ClusterSpec spec) {
        return heartbeatPeriodMs(spec) * PERIODS_TO_DOWN;
    }

    public static Duration defaultHeartbeat() {
        return Duration.ofMillis(DEFAULT_HEARTBEAT_MS);
    }

    public static Duration defaultDownAfter() {
        return Duration.ofMillis(DEFAULT_HEARTBEAT_MS * PERIODS_TO_DOWN);
    }

    public static int taskHistoryLimit(ClusterSpec spec) {
        return spec.getTaskHistoryLimit() > 0 ? (int) Math.min(Integer.MAX_VALUE, spec.getTaskHistoryLimit()) : DEFAULT_TASK_HISTORY_LIMIT;
    }

    /**
     * The period that keeps {@code nodes} within {@link #MAX_HEARTBEATS_PER_SECOND}, in whole
     * seconds (so that a growing fleet changes it, and wakes every session to tell it, only every
     * 200 nodes) and at most {@link #MAX_STRETCHED_PERIOD_MS}; or {@code base} if longer.
     */
    public static long scaledPeriodMs(long base, int nodes) {
        long needed = (nodes * 1000L + MAX_HEARTBEATS_PER_SECOND - 1) / MAX_HEARTBEATS_PER_SECOND;
        if (needed <= base) {
            return base;
        }
        long wholeSeconds = (needed + 999) / 1000 * 1000;
        return Math.max(base, Math.min(wholeSeconds, MAX_STRETCHED_PERIOD_MS));
    }

    public static long downGraceMs(ClusterSpec spec) {
        return spec.hasNodeDownGraceMs() ? Math.max(0, spec.getNodeDownGraceMs()) : DEFAULT_DOWN_GRACE_MS;
    }

    /** The grace of the cluster in the store, or the default when there is no cluster object yet. */
    public static long downGraceMs(Optional<Cluster> cluster) {
        return cluster.map(c -> downGraceMs(c.getSpec())).orElse(DEFAULT_DOWN_GRACE_MS);
    }
}
