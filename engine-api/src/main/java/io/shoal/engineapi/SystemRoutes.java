package io.shoal.engineapi;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ClusterInfo;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.LocalInfo;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeView;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.SwarmJson;

import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code /_ping}, {@code /version} and {@code /info}: what this engine is and what it is part of. */
final class SystemRoutes {
    private final Backend backend;

    SystemRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        r.get("/_ping", this::ping);
        r.get("/version", this::version);
        r.get("/info", this::info);
    }

    /** As dockerd: {@code OK}, the API version, and (1.40+) the node's swarm state in {@code Swarm}. */
    private void ping(Request req, Exchange ex) {
        ex.header("Cache-Control", "no-cache, no-store, must-revalidate");
        ex.header("Pragma", "no-cache");
        ex.header("Swarm", swarmState());
        ex.text(200, "text/plain; charset=utf-8", "OK");
    }

    private String swarmState() {
        try {
            LocalInfo l = backend.local();
            if (!l.getInCluster()) {
                return "inactive";
            }
            if (l.getLocked()) {
                return "locked";
            }
            return l.getRole() == NodeRole.NODE_ROLE_MANAGER ? "active/manager" : "active/worker";
        } catch (StatusRuntimeException e) {
            return "error";
        }
    }

    private void version(Request req, Exchange ex) {
        ObjectNode o = Json.object();
        o.putObject("Platform").put("Name", "Shoal " + backend.version());
        ArrayNode comps = o.putArray("Components");
        comps.addObject().put("Name", "Engine").put("Version", backend.version())
                .putObject("Details").put("ApiVersion", ApiVersion.MAX.toString()).put("MinAPIVersion", ApiVersion.MIN.toString())
                .put("Os", "linux").put("Arch", arch()).put("KernelVersion", System.getProperty("os.version"))
                .put("GoVersion", "java" + Runtime.version().feature());
        o.put("Version", backend.version());
        o.put("ApiVersion", ApiVersion.MAX.toString());
        o.put("MinAPIVersion", ApiVersion.MIN.toString());
        o.put("GitCommit", "");
        o.put("GoVersion", "java" + Runtime.version().feature());
        o.put("Os", "linux");
        o.put("Arch", arch());
        o.put("KernelVersion", System.getProperty("os.version"));
        o.put("BuildTime", "");
        ex.json(200, o);
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("aarch64") ? "arm64" : a;
    }

    private void info(Request req, Exchange ex) {
        LocalInfo l = backend.local();
        ObjectNode o = Json.object();
        o.put("ID", l.getNodeId());
        o.put("Containers", 0).put("ContainersRunning", 0).put("ContainersPaused", 0).put("ContainersStopped", 0);
        o.put("Images", 0);
        o.put("Driver", "overlay");
        o.putArray("DriverStatus");
        o.put("MemoryLimit", true).put("SwapLimit", false).put("CpuCfsPeriod", true).put("CpuCfsQuota", true);
        o.put("IPv4Forwarding", true);
        o.put("Debug", false);
        o.put("SystemTime", Instant.now().toString());
        o.put("LoggingDriver", "json-file");
        o.put("CgroupDriver", "cgroupfs");
        o.put("KernelVersion", System.getProperty("os.version"));
        o.put("OperatingSystem", "Shoal " + backend.version());
        o.put("OSType", "linux");
        o.put("Architecture", System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"));
        o.put("NCPU", Runtime.getRuntime().availableProcessors());
        o.put("MemTotal", memTotal());
        o.put("Name", l.getHostname());
        o.putArray("Labels");
        o.put("ExperimentalBuild", false);
        o.put("ServerVersion", backend.version());
        o.putObject("Runtimes").putObject("runc").put("path", "runc");
        o.put("DefaultRuntime", "runc");
        o.set("Swarm", SwarmJson.info(swarm(l)));
        o.put("LiveRestoreEnabled", true);
        o.put("Isolation", "");
        o.putArray("SecurityOptions");
        o.putArray("Warnings");
        ex.json(200, o);
    }

    private SwarmJson.Local swarm(LocalInfo l) {
        String addr = l.getAdvertiseAddr().contains(":") ? l.getAdvertiseAddr().substring(0, l.getAdvertiseAddr().lastIndexOf(':'))
                : l.getAdvertiseAddr();
        if (!l.getInCluster()) {
            return new SwarmJson.Local("", "", "inactive", false, "", List.of(), 0, 0, null);
        }
        if (l.getLocked()) {
            return new SwarmJson.Local(l.getNodeId(), addr, "locked", false, "", List.of(), 0, 0, null);
        }
        boolean manager = l.getRole() == NodeRole.NODE_ROLE_MANAGER;
        List<SwarmJson.Peer> managers = new ArrayList<>();
        ClusterInfo cluster = null;
        String error = "";
        long nodes = l.getNodes();
        long managerCount = l.getManagers();
        try {
            if (manager) {
                cluster = backend.control().getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
                nodes = cluster.getNodes();
                managerCount = cluster.getManagers();
                for (NodeView v : backend.control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
                    if (v.getNode().getRole() == NodeRole.NODE_ROLE_MANAGER) {
                        managers.add(new SwarmJson.Peer(v.getNode().getId(), v.getNode().getAdvertiseAddr()));
                    }
                }
            }
        } catch (StatusRuntimeException e) {
            error = String.valueOf(e.getStatus().getDescription());
        }
        if (!manager && !l.getLeaderAddr().isEmpty()) {
            managers.add(new SwarmJson.Peer(l.getLeaderNodeId(), l.getLeaderAddr()));
        }
        return new SwarmJson.Local(l.getNodeId(), addr, error.isEmpty() ? "active" : "error", manager && cluster != null,
                error, managers, nodes, managerCount, cluster);
    }

    private static long memTotal() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }
}
