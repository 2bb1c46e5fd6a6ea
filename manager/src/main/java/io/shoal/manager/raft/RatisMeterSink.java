package io.shoal.manager.raft;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The Micrometer side of {@link RatisMeters}: registers the meters for one Ratis metric under a
 * key, and removes them by that key (kept apart from the bridge because Ratis's shaded Dropwizard
 * types and Micrometer's share their names). Values are read at scrape time.
 */
final class RatisMeterSink {
    private final MeterRegistry registry;
    private final Map<String, List<Meter>> byKey = new ConcurrentHashMap<>();

    RatisMeterSink(MeterRegistry registry) {
        this.registry = registry;
    }

    void gauge(String key, RatisMeters.Named n, String member, String description, DoubleSupplier value) {
        put(key, Gauge.builder(n.name(), value, DoubleSupplier::getAsDouble).tags(tags(n, member)).description(description)
                .strongReference(true).register(registry));
    }

    void counter(String key, RatisMeters.Named n, String member, String description, DoubleSupplier count) {
        put(key, FunctionCounter.builder(n.name(), count, DoubleSupplier::getAsDouble).tags(tags(n, member)).description(description)
                .register(registry));
    }

    /** A counter and the mean of the recent samples (what a Dropwizard histogram can tell). */
    void histogram(String key, RatisMeters.Named n, String member, String description, LongSupplier count, DoubleSupplier mean) {
        put(key, FunctionCounter.builder(n.name() + ".count", count, LongSupplier::getAsLong).tags(tags(n, member))
                        .description(description + ": samples").register(registry),
                Gauge.builder(n.name() + ".mean", mean, DoubleSupplier::getAsDouble).tags(tags(n, member))
                        .description(description + ": mean of the recent samples").strongReference(true).register(registry));
    }

    void timer(String key, RatisMeters.Named n, String member, String description, LongSupplier count, DoubleSupplier totalNanos) {
        put(key, FunctionTimer.builder(n.name(), count, c -> c.getAsLong(), c -> totalNanos.getAsDouble(), TimeUnit.NANOSECONDS)
                .tags(tags(n, member)).description(description).register(registry));
    }

    private static Tags tags(RatisMeters.Named n, String member) {
        Tags t = Tags.of("member", member);
        return n.peer() == null ? t : t.and("peer", n.peer());
    }

    private void put(String key, Meter... meters) {
        List<Meter> old = byKey.put(key, List.of(meters));
        if (old != null) {
            old.forEach(registry::remove);
        }
    }

    void drop(String key) {
        List<Meter> old = byKey.remove(key);
        if (old != null) {
            old.forEach(registry::remove);
        }
    }

    /** Drops every key starting with {@code prefix}. */
    void dropAll(String prefix) {
        new ArrayList<>(byKey.keySet()).stream().filter(k -> k.startsWith(prefix)).forEach(this::drop);
    }
}
