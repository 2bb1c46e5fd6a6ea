package io.shoal.manager.dispatcher;

import io.shoal.api.ClusterSpec;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The {@link HeartbeatPolicy} in force, refreshed from the store's cluster object and fleet size when they change. */
final class HeartbeatSettings implements Supplier<HeartbeatPolicy> {
    private final ClusterStore store;
    private final Duration defaultPeriod;
    private final Duration defaultDownAfter;
    private final LongSupplier clock;
    private volatile HeartbeatPolicy policy;

    /**
     * @param defaultPeriod    heartbeat period while the cluster object sets none
     * @param defaultDownAfter silence after which a node is Down, while the cluster object sets no period
     */
    HeartbeatSettings(ClusterStore store, Duration defaultPeriod, Duration defaultDownAfter, LongSupplier clock) {
        this.store = store;
        this.defaultPeriod = defaultPeriod;
        this.defaultDownAfter = defaultDownAfter;
        this.clock = clock;
        this.policy = HeartbeatPolicy.of(defaultPeriod, defaultDownAfter);
    }

    @Override
    public HeartbeatPolicy get() {
        return policy;
    }

    /** Reads the cluster's settings and size again; true when the period workers are told changed. */
    synchronized boolean refresh() {
        ClusterSpec spec = store.view(tx -> tx.cluster()).map(c -> c.getSpec()).orElse(null);
        HeartbeatPolicy was = policy;
        policy = was.next(spec, defaultPeriod, defaultDownAfter, store.count(ObjectKind.NODE), clock.getAsLong());
        return policy.periodMs() != was.periodMs();
    }
}
