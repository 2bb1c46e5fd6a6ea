package io.shoal.node;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;
import com.sun.management.HotSpotDiagnosticMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.RuntimeMXBean;
import java.util.List;

/**
 * Feeds the daemon's {@link HeapPolicy} the JVM's GC notifications and asks for the full
 * collections it decides ({@code System.gc()}, from one virtual thread that waits out the policy's
 * spacing and rate limit). Only on Serial GC (collectors "Copy" and "MarkSweepCompact"): other
 * collectors size their heap themselves. The launcher's defaults can be changed with system
 * properties (docs/node.md, "Memory under churn"): {@code shoal.heap.policy=off} turns it off;
 * {@code shoal.heap.liveFactor}, {@code shoal.heap.floorMb}, {@code shoal.heap.minIntervalMs},
 * {@code shoal.heap.maxGcShare}, {@code shoal.heap.spacingMs} are {@link HeapPolicy.Settings}'.
 */
final class HeapGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeapGuard.class);
    static final String YOUNG = "Copy";
    static final String FULL = "MarkSweepCompact";
    static final String OLD_POOL = "Tenured Gen";
    static final HeapPolicy.Settings DEFAULTS = new HeapPolicy.Settings(1.5, 24L << 20, 1_000, 0.05, 200);

    private final HeapPolicy policy;
    private final List<GarbageCollectorMXBean> collectors;
    private final NotificationListener listener = this::handle;
    private volatile boolean closed;

    private HeapGuard(HeapPolicy policy, List<GarbageCollectorMXBean> collectors) {
        this.policy = policy;
        this.collectors = collectors;
    }

    /** Starts the guard when the JVM runs Serial GC and the policy is not off; otherwise returns {@code null}. */
    static HeapGuard start() {
        if ("off".equals(System.getProperty("shoal.heap.policy"))) {
            return null;
        }
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        List<String> names = gcs.stream().map(GarbageCollectorMXBean::getName).toList();
        MemoryPoolMXBean old = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getName().equals(OLD_POOL)).findFirst().orElse(null);
        if (!names.contains(YOUNG) || !names.contains(FULL) || old == null) {
            return null;
        }
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        if (hotspot != null && "true".equals(hotspot.getVMOption("DisableExplicitGC").getValue())) {
            LOG.info("heap policy off: -XX:+DisableExplicitGC leaves it no way to ask for a full GC");
            return null;
        }
        HeapPolicy.Settings s = settings(DEFAULTS);
        RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        // the JVM's uptime: the clock of GcInfo's start and end times
        HeapPolicy policy = new HeapPolicy(s, old.getUsage().getMax(), runtime::getUptime);
        HeapGuard guard = new HeapGuard(policy, gcs);
        for (GarbageCollectorMXBean gc : gcs) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(guard.listener, null, null);
            }
        }
        LOG.info("heap policy: a full GC when the old generation passes {}x its live data (at least {} MiB over it), "
                + "at most every {} ms and {}% of the time, {} ms after any other", s.liveFactor(), s.floorBytes() >> 20,
                s.minIntervalMs(), Math.round(s.maxGcShare() * 100), s.spacingMs());
        return guard;
    }

    /** The policy's knobs from the system properties, each defaulting to {@code d}'s. */
    static HeapPolicy.Settings settings(HeapPolicy.Settings d) {
        return new HeapPolicy.Settings(
                Double.parseDouble(System.getProperty("shoal.heap.liveFactor", Double.toString(d.liveFactor()))),
                Long.getLong("shoal.heap.floorMb", d.floorBytes() >> 20) << 20,
                Long.getLong("shoal.heap.minIntervalMs", d.minIntervalMs()),
                Double.parseDouble(System.getProperty("shoal.heap.maxGcShare", Double.toString(d.maxGcShare()))),
                Long.getLong("shoal.heap.spacingMs", d.spacingMs()));
    }

    private void handle(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        GcInfo gc = info.getGcInfo();
        MemoryUsage old = gc.getMemoryUsageAfterGc().get(OLD_POOL);
        if (old == null) {
            return;
        }
        long wait = -1;
        synchronized (policy) {
            if (FULL.equals(info.getGcName())) {
                policy.fullCollectionEnded(old.getUsed(), gc.getDuration(), gc.getEndTime());
            } else if (YOUNG.equals(info.getGcName())) {
                wait = policy.youngCollectionEnded(old.getUsed(), gc.getEndTime());
            }
        }
        if (wait >= 0 && !closed) {
            long first = wait;
            Thread.ofVirtual().name("heap-policy").start(() -> askWhenDue(first));
        }
    }

    /** Waits out the policy's spacing and rate limit, then asks for the full collection if it is still due. */
    private void askWhenDue(long firstWait) {
        long wait = firstWait;
        try {
            while (!closed) {
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                synchronized (policy) {
                    for (GarbageCollectorMXBean c : collectors) { // a collection whose notification is not in yet
                        GcInfo last = c instanceof com.sun.management.GarbageCollectorMXBean bean ? bean.getLastGcInfo() : null;
                        if (last != null) {
                            policy.collectionEnded(last.getEndTime());
                        }
                    }
                    wait = policy.askNow();
                }
                if (wait == 0) {
                    System.gc();
                }
                if (wait <= 0) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many full collections the policy asked for. */
    long asked() {
        synchronized (policy) {
            return policy.asked();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (GarbageCollectorMXBean gc : collectors) {
            if (gc instanceof NotificationEmitter e) {
                try {
                    e.removeNotificationListener(listener);
                } catch (ListenerNotFoundException ignored) {
                    // not added: nothing to remove
                }
            }
        }
    }
}
