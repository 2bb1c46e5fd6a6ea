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
 *
 * <p>Once the daemon is quiet after a burst, it also gives back what the burst left committed
 * ({@link IdleTrim}): every second it asks whether a trim is due, and if so runs one full collection
 * with {@code -XX:MinHeapFreeRatio} and {@code -XX:MaxHeapFreeRatio} set to the trim's free ratio
 * (both are manageable flags), then sets them back. {@code shoal.heap.idleTrim=off} turns that off;
 * {@code shoal.heap.idleQuietMs} and {@code shoal.heap.idleFreeRatio} are {@link IdleTrim.Settings}'.
 */
final class HeapGuard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeapGuard.class);
    static final String YOUNG = "Copy";
    static final String FULL = "MarkSweepCompact";
    static final String OLD_POOL = "Tenured Gen";
    static final HeapPolicy.Settings DEFAULTS = new HeapPolicy.Settings(1.5, 24L << 20, 1_000, 0.05, 200);
    static final IdleTrim.Settings TRIM_DEFAULTS = new IdleTrim.Settings(5_000, 2L << 20, 10, 8L << 20, 200);
    private static final long TRIM_POLL_MS = 1_000;

    private final HeapPolicy policy;
    private final IdleTrim trim; // null when off; guarded by policy's lock
    private final List<GarbageCollectorMXBean> collectors;
    private final NotificationListener listener = this::handle;
    private volatile boolean closed;

    private HeapGuard(HeapPolicy policy, IdleTrim trim, List<GarbageCollectorMXBean> collectors) {
        this.policy = policy;
        this.trim = trim;
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
        IdleTrim.Settings t = trimSettings(TRIM_DEFAULTS);
        boolean trimming = hotspot != null && !"off".equals(System.getProperty("shoal.heap.idleTrim"));
        IdleTrim trim = trimming ? new IdleTrim(t, runtime.getUptime()) : null;
        HeapGuard guard = new HeapGuard(policy, trim, gcs);
        for (GarbageCollectorMXBean gc : gcs) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(guard.listener, null, null);
            }
        }
        LOG.info("heap policy: a full GC when the old generation passes {}x its live data (at least {} MiB over it), "
                + "at most every {} ms and {}% of the time, {} ms after any other", s.liveFactor(), s.floorBytes() >> 20,
                s.minIntervalMs(), Math.round(s.maxGcShare() * 100), s.spacingMs());
        if (trimming) {
            Thread.ofVirtual().name("heap-idle-trim").start(() -> guard.trimWhenQuiet(hotspot, old, runtime, t.freeRatio()));
            LOG.info("idle trim: a full GC leaving {}% free when the old generation grew by less than {} MiB for {} ms "
                    + "and it would give back {} MiB or more", t.freeRatio(), t.quietGrowthBytes() >> 20, t.quietMs(), t.minGainBytes() >> 20);
        }
        return guard;
    }

    /** The idle trim's knobs from the system properties, each defaulting to {@code d}'s. */
    static IdleTrim.Settings trimSettings(IdleTrim.Settings d) {
        return new IdleTrim.Settings(Long.getLong("shoal.heap.idleQuietMs", d.quietMs()), d.quietGrowthBytes(),
                Integer.getInteger("shoal.heap.idleFreeRatio", d.freeRatio()), d.minGainBytes(), d.spacingMs());
    }

    /** Every second: runs a trim when {@link IdleTrim} says one is due. */
    private void trimWhenQuiet(HotSpotDiagnosticMXBean hotspot, MemoryPoolMXBean old, RuntimeMXBean runtime, int freeRatio) {
        try {
            while (!closed) {
                Thread.sleep(TRIM_POLL_MS);
                boolean due;
                synchronized (policy) {
                    trim.collectionEnded(lastCollectionEnd());
                    MemoryUsage u = old.getUsage();
                    due = trim.dueNow(runtime.getUptime(), u.getUsed(), u.getCommitted());
                }
                if (due && !closed) {
                    trimNow(hotspot, Integer.toString(freeRatio));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One full collection with both free ratios at the trim's, then the launcher's (or the JVM's) ratios back. */
    private static void trimNow(HotSpotDiagnosticMXBean hotspot, String ratio) {
        String min = hotspot.getVMOption("MinHeapFreeRatio").getValue();
        String max = hotspot.getVMOption("MaxHeapFreeRatio").getValue();
        long before = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        long t0 = System.nanoTime();
        try {
            hotspot.setVMOption("MinHeapFreeRatio", ratio); // min first: it may never pass max
            hotspot.setVMOption("MaxHeapFreeRatio", ratio);
            System.gc();
        } catch (IllegalArgumentException e) {
            LOG.warn("idle trim failed: {}", e.getMessage());
        } finally {
            hotspot.setVMOption("MaxHeapFreeRatio", max); // max first: back above min
            hotspot.setVMOption("MinHeapFreeRatio", min);
        }
        long after = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
        LOG.info("idle trim: heap {} -> {} MiB committed in {} ms", before >> 20, after >> 20, (System.nanoTime() - t0) / 1_000_000);
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
                if (trim != null) {
                    trim.fullCollectionEnded(old.getUsed(), gc.getEndTime());
                }
            } else if (YOUNG.equals(info.getGcName())) {
                wait = policy.youngCollectionEnded(old.getUsed(), gc.getEndTime());
                if (trim != null) {
                    trim.youngCollectionEnded(old.getUsed(), gc.getEndTime());
                }
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
                    long lastEnd = lastCollectionEnd();
                    policy.collectionEnded(lastEnd);
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

    /** When the last collection of any kind ended, as the collectors' beans tell it (its notification may not be in yet). */
    private long lastCollectionEnd() {
        long end = Long.MIN_VALUE / 2;
        for (GarbageCollectorMXBean c : collectors) {
            GcInfo last = c instanceof com.sun.management.GarbageCollectorMXBean bean ? bean.getLastGcInfo() : null;
            if (last != null) {
                end = Math.max(end, last.getEndTime());
            }
        }
        return end;
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
