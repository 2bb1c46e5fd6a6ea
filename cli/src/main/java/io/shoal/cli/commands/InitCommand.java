package io.shoal.cli.commands;

import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.cli.output.Units;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Start a new cluster with this node as its first manager.")
public final class InitCommand extends ClientCommand {
    @Option(names = "--advertise-addr", paramLabel = "IP[:PORT]", description = "Address other nodes use to reach this one.")
    String advertiseAddr = "";

    @Option(names = "--listen-addr", paramLabel = "IP:PORT", description = "Cluster listen address (default: the daemon's).")
    String listenAddr = "";

    @Option(names = "--default-addr-pool", paramLabel = "CIDR", description = "Address pool for overlay networks (repeatable; default 10.0.0.0/8).")
    List<String> pools = new ArrayList<>();

    @Option(names = "--autolock", description = "Lock the managers' key-encryption key on disk under an unlock key printed here: a restarted "
            + "manager waits for 'shoal unlock'.")
    boolean autolock;

    @Option(names = "--force-new-cluster",
            description = "On a manager of a cluster that lost its quorum: make this manager the only one of a cluster "
                    + "built from its own data (services, nodes, networks, secrets kept); see docs/disaster-recovery.md.")
    boolean forceNewCluster;

    @Option(names = "--dispatcher-heartbeat", paramLabel = "DURATION",
            description = "How often workers heartbeat to the managers (default 500ms, 100ms to 1m); a node is Down after 4 heartbeats missed.")
    String heartbeat;

    @Option(names = "--node-down-grace", paramLabel = "DURATION",
            description = "How long a Down node keeps its tasks before they start elsewhere (default 5s), so a restarted daemon adopts "
                    + "its containers; 0s reschedules as soon as the node is Down.")
    String downGrace;

    @Option(names = "--data-path-port", paramLabel = "PORT",
            description = "UDP port of the VXLAN traffic between nodes (default 4789; 1024 to 49151).")
    Integer dataPathPort;

    @Option(names = "--cert-expiry", paramLabel = "DURATION",
            description = "How long node certificates are valid (default 90 days, i.e. 2160h; at least 1m). "
                    + "Every node renews its own between 50% and 80% of that; 'shoal cluster update --cert-expiry' changes it.")
    String certExpiry;

    @Override
    protected int execute() {
        if (forceNewCluster && (!advertiseAddr.isEmpty() || !listenAddr.isEmpty() || !pools.isEmpty() || autolock || heartbeat != null
                || downGrace != null || dataPathPort != null || certExpiry != null)) {
            throw usage("--force-new-cluster takes no other flag: the manager keeps its address and the cluster its "
                    + "settings (see docs/disaster-recovery.md)");
        }
        InitRequest.Builder req = InitRequest.newBuilder().setAdvertiseAddr(advertiseAddr).setListenAddr(listenAddr)
                .addAllDefaultAddrPool(pools).setAutolock(autolock).setForceNewCluster(forceNewCluster);
        if (heartbeat != null) {
            long ms = duration("--dispatcher-heartbeat", heartbeat);
            if (ms < 100 || ms > 60_000) {
                throw new IllegalArgumentException("--dispatcher-heartbeat " + heartbeat + " is out of range: use 100ms to 1m");
            }
            req.setDispatcherHeartbeatMs(ms);
        }
        if (dataPathPort != null) {
            if (dataPathPort < 1024 || dataPathPort > 49151) {
                throw new IllegalArgumentException("--data-path-port " + dataPathPort + " is out of range: use 1024 to 49151");
            }
            req.setDataPathPort(dataPathPort);
        }
        if (certExpiry != null) {
            long ms = duration("--cert-expiry", certExpiry);
            if (ms < 60_000) {
                throw new IllegalArgumentException("--cert-expiry " + certExpiry + " is too short: use at least 1m");
            }
            req.setCertExpiryMs(ms);
        }
        if (downGrace != null) {
            req.setNodeDownGraceMs(duration("--node-down-grace", downGrace));
        }
        InitResponse r = local(90).init(req.build());
        out().printf("Shoal initialized: current node (%s) is now a manager.%n%n", r.getNodeId());
        out().printf("To add a worker to this cluster, run the following command:%n%n    shoal join --token %s %s%n%n",
                r.getWorkerToken(), r.getAdvertiseAddr());
        out().printf("To add a manager to this cluster, run the following command:%n%n    shoal join --token %s %s%n",
                r.getManagerToken(), r.getAdvertiseAddr());
        if (!r.getUnlockKey().isEmpty()) {
            out().println();
            UnlockKeyCommand.print(out(), r.getUnlockKey());
        }
        return 0;
    }

    private static long duration(String flag, String v) {
        try {
            return Units.duration(v).toMillis();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }
}
