package io.shoal.e2e;

import com.sun.tools.attach.VirtualMachine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * async-profiler (the {@code tools.profiler:async-profiler} jar's native library, a test
 * dependency) attached to running manager daemons for one window at a time, through the JDK's
 * attach API, so no process is started during the window: {@link #start} before a round, {@link
 * #stop} after it, each manager's stacks written in collapsed form with thread names (for a flame
 * graph) and, for CPU, read back into a {@link CollapsedStacks} summary. CPU samples come from
 * perf events, so they hold the kernel's frames and the JVM's own threads (GC, JIT), which JFR's
 * execution samples do not.
 */
final class ManagerProfiler {
    private final Path lib;
    private final Path outDir;
    private final String event;
    private final List<Long> pids;

    private ManagerProfiler(Path lib, Path outDir, String event, List<Long> pids) {
        this.lib = lib;
        this.outDir = outDir;
        this.event = event;
        this.pids = pids;
    }

    /**
     * A profiler for the managers' processes, its library unpacked into {@code outDir}.
     *
     * @param event {@code cpu} (a sample every millisecond of CPU) or {@code alloc} (bytes allocated, by stack)
     */
    static ManagerProfiler of(String event, Path outDir, List<Long> pids) throws IOException {
        if (!event.equals("cpu") && !event.equals("alloc")) {
            throw new IllegalArgumentException("shoal.bench.profile: cpu or alloc, not " + event);
        }
        Path lib = outDir.resolve("libasyncProfiler.so");
        try (InputStream in = ManagerProfiler.class.getClassLoader().getResourceAsStream("linux-x64/libasyncProfiler.so")) {
            if (in == null) {
                throw new IOException("linux-x64/libasyncProfiler.so is not on the test classpath (tools.profiler:async-profiler, classifier linux-x64)");
            }
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        return new ManagerProfiler(lib, outDir, event, List.copyOf(pids));
    }

    void start() throws Exception {
        for (long pid : pids) {
            command(pid, "start,event=" + event + (event.equals("cpu") ? ",interval=5ms" : "") + ",threads");
        }
    }

    /**
     * Stops every manager's profile and writes it to {@code OUT/LABEL-mN.collapsed} (N from 1, in the
     * order of the pids); for CPU, returns each manager's summary (empty for allocations).
     */
    List<CollapsedStacks> stop(String label) throws Exception {
        List<CollapsedStacks> out = new ArrayList<>();
        for (int i = 0; i < pids.size(); i++) {
            Path file = outDir.resolve(label + "-m" + (i + 1) + ".collapsed");
            command(pids.get(i), "stop,file=" + file + ",collapsed,threads" + (event.equals("alloc") ? ",total" : ""));
            if (event.equals("cpu")) {
                out.add(CollapsedStacks.parse(Files.readAllLines(file)));
            }
        }
        return out;
    }

    private void command(long pid, String options) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
        try {
            vm.loadAgentPath(lib.toString(), options); // loaded once; each load after the first is a command
        } finally {
            vm.detach();
        }
    }
}
