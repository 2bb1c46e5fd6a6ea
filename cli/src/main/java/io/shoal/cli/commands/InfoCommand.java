package io.shoal.cli.commands;

import io.shoal.api.LocalInfo;
import io.shoal.api.LocalInfoRequest;
import io.shoal.api.NodeRole;
import io.shoal.cli.output.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the cluster as this node sees it: ids, role, leader, managers, Raft index.")
public final class InfoCommand extends ClientCommand {
    @Option(names = "--format", description = "Output format: table (default) or json.")
    String format = "table";

    @Override
    protected int execute() {
        if (!format.equals("json") && !format.equals("table")) {
            throw usage("--format: '" + format + "' is not supported; use json or table");
        }
        LocalInfo i = local(15).info(LocalInfoRequest.getDefaultInstance());
        if (!i.getInCluster()) {
            err().println("Error: this node is not part of a Shoal cluster: run 'shoal init' or 'shoal join'");
            return 1;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ClusterID", i.getClusterId());
        m.put("NodeID", i.getNodeId());
        m.put("Hostname", i.getHostname());
        m.put("Role", i.getRole() == NodeRole.NODE_ROLE_MANAGER ? "manager" : "worker");
        m.put("Address", i.getAdvertiseAddr());
        m.put("Swarm", i.getLocked() ? "locked" : "active");
        if (i.getLocked()) {
            m.put("Error", i.getError());
        } else if (i.getClusterReachable()) {
            m.put("Leader", i.getLeaderNodeId());
            m.put("LeaderAddress", i.getLeaderAddr());
            m.put("Managers", i.getManagers());
            m.put("ManagersReachable", i.getManagersReachable());
            m.put("Nodes", i.getNodes());
            m.put("RaftIndex", i.getRaftIndex());
        } else if (i.getRole() != NodeRole.NODE_ROLE_MANAGER) {
            m.put("ManagerAddresses", i.getManagerAddrsList());
        } else {
            m.put("Error", i.getError());
        }
        if (format.equals("json")) {
            Json.print(out(), m);
        } else {
            m.forEach((k, v) -> out().printf("%-18s %s%n", k + ":", v));
        }
        return 0;
    }
}
