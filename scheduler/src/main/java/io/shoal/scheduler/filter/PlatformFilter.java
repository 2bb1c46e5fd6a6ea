package io.shoal.scheduler.filter;

import io.shoal.api.Platform;
import io.shoal.api.Task;
import io.shoal.scheduler.NodeInfo;

import java.util.List;

/** The node's OS and architecture are among the platforms the task supports (when it names any). */
public final class PlatformFilter implements Filter {
    private List<Platform> platforms = List.of();

    @Override
    public boolean setTask(Task task) {
        platforms = task.getSpec().getPlacement().getPlatformsList();
        return !platforms.isEmpty();
    }

    @Override
    public boolean check(NodeInfo node) {
        Platform have = node.node().getDescription().getPlatform();
        return platforms.stream().anyMatch(p -> (p.getOs().isEmpty() || p.getOs().equalsIgnoreCase(have.getOs()))
                && (p.getArchitecture().isEmpty() || arch(p.getArchitecture()).equals(arch(have.getArchitecture()))));
    }

    private static String arch(String a) {
        return switch (a.toLowerCase()) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            default -> a.toLowerCase();
        };
    }

    @Override
    public String explain(int nodes) {
        return "unsupported platform on " + Filter.nodes(nodes);
    }
}
