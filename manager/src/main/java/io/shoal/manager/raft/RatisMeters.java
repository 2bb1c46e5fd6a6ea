package io.shoal.manager.raft;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.impl.RatisMetricRegistryImpl;
import org.apache.ratis.thirdparty.com.codahale.metrics.Counter;
import org.apache.ratis.thirdparty.com.codahale.metrics.Gauge;
import org.apache.ratis.thirdparty.com.codahale.metrics.Histogram;
import org.apache.ratis.thirdparty.com.codahale.metrics.Meter;
import org.apache.ratis.thirdparty.com.codahale.metrics.MetricRegistryListener;
import org.apache.ratis.thirdparty.com.codahale.metrics.Timer;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ratis' own metrics as Micrometer meters: ratis-metrics-default keeps them in Dropwizard registries
 * (one per component of a Raft member: server, log worker, leader election, state machine, log
 * appender); this follows the registries of one member as Ratis creates and removes them, and the
 * metrics within each as they come and go, and exposes them as {@code ratis.COMPONENT.NAME} with
 * a {@code member} tag (Ratis names them {@code APP.COMPONENT.MEMBER.NAME}: the member moves to the
 * tag) and, where a name holds a peer's id (a follower's in a leader's log appender), a {@code peer}
 * tag instead: gauges as gauges, counters as gauges (Ratis counts down too), meters as counters,
 * timers as timers (count and total), histograms as their count and recent mean.
 */
public final class RatisMeters implements AutoCloseable {
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.]");
    /** A Shoal node id (a Raft peer id) inside a metric's name, with the separator before or after it. */
    private static final Pattern PEER = Pattern.compile("(?:^|[._])([a-z0-9]{25})(?=$|[._])");

    private final RatisMeterSink sink;
    private final String memberId;
    private final Map<RatisMetricRegistry, Bridge> bridges = new ConcurrentHashMap<>();
    private final Consumer<RatisMetricRegistry> added = this::added;
    private final Consumer<RatisMetricRegistry> removed = this::removed;

    /** Bridges the registries of the Raft member {@code memberId} (the node id) into {@code registry}. */
    public RatisMeters(MeterRegistry registry, String memberId) {
        this.sink = new RatisMeterSink(registry);
        this.memberId = memberId;
        MetricRegistries.global().addReporterRegistration(added, removed);
        MetricRegistries.global().getMetricRegistries().forEach(this::added);
    }

    /** Ratis names a registry by its member ({@code PEER@group-ID}) or by a pair of them (a log appender). */
    private boolean ours(RatisMetricRegistry r) {
        String prefix = r.getMetricRegistryInfo().getPrefix();
        return prefix != null && (prefix.equals(memberId) || prefix.startsWith(memberId + "@") || prefix.startsWith(memberId + "->"));
    }

    private void added(RatisMetricRegistry r) {
        if (!(r instanceof RatisMetricRegistryImpl impl) || !ours(r) || bridges.containsKey(r)) {
            return;
        }
        var info = r.getMetricRegistryInfo();
        Bridge b = new Bridge("ratis." + clean(info.getMetricsComponentName()),
                info.getApplicationName() + "." + info.getMetricsComponentName() + "." + info.getPrefix() + ".",
                info.getPrefix(), info.getPrefix() + "/" + info.getMetricsComponentName() + "/");
        bridges.put(r, b);
        impl.getDropWizardMetricRegistry().addListener(b);
    }

    private void removed(RatisMetricRegistry r) {
        Bridge b = bridges.remove(r);
        if (b != null && r instanceof RatisMetricRegistryImpl impl) {
            impl.getDropWizardMetricRegistry().removeListener(b);
            sink.dropAll(b.keys);
        }
    }

    private static String clean(String s) {
        return UNSAFE.matcher(s == null ? "" : s).replaceAll("_");
    }

    /** A gauge's number; booleans as 1 or 0; anything else (or a failing supplier) as NaN. */
    private static double value(Gauge<?> g) {
        try {
            Object v = g.getValue();
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            if (v instanceof Boolean b) {
                return b ? 1 : 0;
            }
        } catch (RuntimeException e) {
            // a member being torn down
        }
        return Double.NaN;
    }

    /** A metric's meter name and its peer (null when its name holds none). */
    record Named(String name, String peer) {}

    /** Ratis's {@code ratis.log_worker.PEER@group-G.flushCount} is {@code ratis.log_worker.flushCount}, the peer aside. */
    static Named named(String component, String qualified, String metric) {
        String local = metric.startsWith(qualified) ? metric.substring(qualified.length()) : metric;
        String peer = null;
        Matcher m = PEER.matcher(local);
        if (m.find()) {
            peer = m.group(1);
            int from = m.start(1);
            int to = m.end(1);
            if (to < local.length()) {
                to++;
            } else if (from > 0) {
                from--;
            }
            local = local.substring(0, from) + local.substring(to);
        }
        return new Named(component + "." + clean(local), peer);
    }

    /** Follows one Dropwizard registry. */
    private final class Bridge extends MetricRegistryListener.Base {
        private final String component;
        private final String qualified;
        private final String member;
        private final String keys;

        Bridge(String component, String qualified, String member, String keys) {
            this.component = component;
            this.qualified = qualified;
            this.member = member;
            this.keys = keys;
        }

        private Named name(String metric) {
            return named(component, qualified, metric);
        }

        @Override
        public void onGaugeAdded(String metric, Gauge<?> gauge) {
            sink.gauge(keys + metric, name(metric), member, "Ratis gauge", () -> value(gauge));
        }

        @Override
        public void onCounterAdded(String metric, Counter counter) {
            sink.gauge(keys + metric, name(metric), member, "Ratis counter", counter::getCount);
        }

        @Override
        public void onMeterAdded(String metric, Meter meter) {
            sink.counter(keys + metric, name(metric), member, "Ratis meter", meter::getCount);
        }

        @Override
        public void onHistogramAdded(String metric, Histogram h) {
            sink.histogram(keys + metric, name(metric), member, "Ratis histogram", h::getCount, () -> h.getSnapshot().getMean());
        }

        @Override
        public void onTimerAdded(String metric, Timer t) {
            sink.timer(keys + metric, name(metric), member, "Ratis timer", t::getCount,
                    () -> t.getSnapshot().getMean() * t.getCount());
        }

        @Override
        public void onGaugeRemoved(String metric) {
            sink.drop(keys + metric);
        }

        @Override
        public void onCounterRemoved(String metric) {
            sink.drop(keys + metric);
        }

        @Override
        public void onMeterRemoved(String metric) {
            sink.drop(keys + metric);
        }

        @Override
        public void onHistogramRemoved(String metric) {
            sink.drop(keys + metric);
        }

        @Override
        public void onTimerRemoved(String metric) {
            sink.drop(keys + metric);
        }
    }

    @Override
    public void close() {
        MetricRegistries.global().removeReporterRegistration(added, removed);
        new ArrayList<>(bridges.keySet()).forEach(this::removed);
    }
}
