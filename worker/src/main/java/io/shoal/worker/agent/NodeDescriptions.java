package io.shoal.worker.agent;

import io.shoal.api.BuildInfo;
import io.shoal.api.NodeDescription;
import io.shoal.api.Platform;
import io.shoal.api.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a node reports about itself: hostname, platform, CPUs and memory, runtimes, Shoal version and store format. */
public final class NodeDescriptions {
    private NodeDescriptions() {}

    /**
     * @param runtimes    the OCI runtimes this node runs containers with
     * @param storeFormat the newest Raft log format this node's code applies (see the manager's StoreFormat)
     */
    public static NodeDescription local(List<String> runtimes, int storeFormat) {
        return NodeDescription.newBuilder()
                .setHostname(hostname())
                .setPlatform(Platform.newBuilder().setOs("linux").setArchitecture(arch()))
                .setResources(Resources.newBuilder()
                        .setNanoCpus(Runtime.getRuntime().availableProcessors() * 1_000_000_000L)
                        .setMemoryBytes(memTotal()))
                .addAllRuntimes(runtimes)
                .setEngineVersion(BuildInfo.version())
                .setStoreFormat(storeFormat)
                .build();
    }

    /** The UTS hostname of this process (what `hostname` prints), which a lab host sets per namespace. */
    public static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }

    static String arch() {
        String a = System.getProperty("os.arch", "");
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64" -> "aarch64";
            default -> a;
        };
    }

    static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return Runtime.getRuntime().maxMemory();
    }
}
