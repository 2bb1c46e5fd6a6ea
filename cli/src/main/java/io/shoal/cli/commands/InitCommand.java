package io.shoal.cli.commands;

import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
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

    @Option(names = "--autolock", description = "Encrypt the managers' keys with a key you keep (not supported yet).")
    boolean autolock;

    @Override
    protected int execute() {
        InitResponse r = local(60).init(InitRequest.newBuilder().setAdvertiseAddr(advertiseAddr).setListenAddr(listenAddr)
                .addAllDefaultAddrPool(pools).setAutolock(autolock).build());
        out().printf("Shoal initialized: current node (%s) is now a manager.%n%n", r.getNodeId());
        out().printf("To add a worker to this cluster, run the following command:%n%n    shoal join --token %s %s%n%n",
                r.getWorkerToken(), r.getAdvertiseAddr());
        out().printf("To add a manager to this cluster, run the following command:%n%n    shoal join --token %s %s%n",
                r.getManagerToken(), r.getAdvertiseAddr());
        return 0;
    }
}
