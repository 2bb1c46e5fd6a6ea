package io.shoal.e2e;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A manager's CPU profile in async-profiler's collapsed form with thread names ({@code [thread
 * tid=N];frame;...;leaf COUNT}, one line a stack), summed by what a manager's threads do and by
 * how much of it is the kernel's (a stack with a {@code _[k]} frame: system calls, wake-ups,
 * interrupts). Pure: {@link ManagerProfiler} records the stacks, this reads them.
 */
final class CollapsedStacks {
    /** What a manager's thread is there for, from its name. */
    enum Role {
        LOOPS("control loops"),
        APPLY("applying entries"),
        RAFT_LOG("Raft log"),
        RAFT("other Raft threads"),
        TRANSPORT("gRPC event loops"),
        VIRTUAL("virtual threads"),
        EXECUTOR("gRPC executor"),
        GC("GC and VM"),
        JIT("JIT"),
        OTHER("other");

        final String label;

        Role(String label) {
            this.label = label;
        }

        static Role of(String thread) {
            if (thread.equals("control-loops")) {
                return LOOPS;
            } else if (thread.endsWith("-StateMachineUpdater")) {
                return APPLY;
            } else if (thread.endsWith("-SegmentedRaftLogWorker")) {
                return RAFT_LOG;
            } else if (thread.contains("@group-") || thread.contains("-server-thread") || thread.contains("-client-thread")
                    || thread.startsWith("raft-")) {
                return RAFT;
            } else if (thread.startsWith("grpc-default-worker") || thread.startsWith("grpc-nio-worker") || thread.startsWith("epollEventLoopGroup")) {
                return TRANSPORT;
            } else if (thread.startsWith("ForkJoinPool-1-")) {
                return VIRTUAL;
            } else if (thread.startsWith("grpc-default-executor")) {
                return EXECUTOR;
            } else if (thread.equals("VM Thread") || thread.startsWith("GC Thread")) {
                return GC;
            } else if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
                return JIT;
            }
            return OTHER;
        }
    }

    /** Samples of one role: all of them, and those in the kernel. */
    record Share(long samples, long kernel) {
        Share plus(Share other) {
            return new Share(samples + other.samples, kernel + other.kernel);
        }
    }

    private final Map<Role, Share> byRole;

    private CollapsedStacks(Map<Role, Share> byRole) {
        this.byRole = byRole;
    }

    static CollapsedStacks parse(List<String> lines) {
        Map<Role, Share> byRole = new EnumMap<>(Role.class);
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            if (line.isBlank() || space < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(space + 1).strip());
            String stack = line.substring(0, space);
            int semi = stack.indexOf(';');
            String first = semi < 0 ? stack : stack.substring(0, semi);
            String thread = first.startsWith("[") ? first.substring(1, first.endsWith("]") ? first.length() - 1 : first.length()) : "";
            thread = thread.replaceFirst("\\s*tid=\\d+\\s*$", "").strip();
            boolean inKernel = stack.contains("_[k];") || stack.endsWith("_[k]");
            byRole.merge(Role.of(thread), new Share(n, inKernel ? n : 0), Share::plus);
        }
        return new CollapsedStacks(byRole);
    }

    Share share(Role role) {
        return byRole.getOrDefault(role, new Share(0, 0));
    }

    long samples() {
        return byRole.values().stream().mapToLong(Share::samples).sum();
    }

    long kernel() {
        return byRole.values().stream().mapToLong(Share::kernel).sum();
    }

    /** One line: the share of each role (largest first, those of 1% or more) and the kernel's share of all. */
    String summary() {
        long samples = samples();
        if (samples == 0) {
            return "no samples";
        }
        String roles = byRole.entrySet().stream()
                .filter(e -> e.getValue().samples() * 100 >= samples)
                .sorted((a, b) -> Long.compare(b.getValue().samples(), a.getValue().samples()))
                .map(e -> String.format("%s %d%%", e.getKey().label, Math.round(100.0 * e.getValue().samples() / samples)))
                .collect(Collectors.joining(", "));
        return String.format("%d samples: %s; in the kernel %d%%", samples, roles, Math.round(100.0 * kernel() / samples));
    }
}
