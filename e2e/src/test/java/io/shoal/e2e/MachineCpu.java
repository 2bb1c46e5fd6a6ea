package io.shoal.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the whole machine was over a stretch of a benchmark, from {@code /proc/stat}: the CPU
 * time spent (user, system, interrupts: every process, the benchmark's own and any other) against
 * the time the CPUs had. A stretch that kept every CPU busy was bound by CPU, not by a wait.
 */
record MachineCpu(long busyTicks, long totalTicks) {
    /** Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux). */
    private static final double HZ = 100.0;

    static MachineCpu now() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new MachineCpu(total - idle, total);
    }

    /** "busy X s of the CPUs' Y s (Z%)" since {@code before}. */
    String since(MachineCpu before) {
        long busy = busyTicks - before.busyTicks;
        long total = totalTicks - before.totalTicks;
        return String.format("busy %.2f s of the CPUs' %.2f s (%d%%)", busy / HZ, total / HZ, total == 0 ? 0 : Math.round(100.0 * busy / total));
    }
}
