package io.shoal.cli.commands;

import io.shoal.api.JoinRequest;
import io.shoal.api.JoinResponse;
import io.shoal.api.NodeRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "join", mixinStandardHelpOptions = true,
        description = "Join a cluster as a worker or a manager (the token decides).")
public final class JoinCommand extends ClientCommand {
    @Option(names = "--token", required = true, description = "Join token (from 'shoal join-token').")
    String token;

    @Option(names = "--advertise-addr", paramLabel = "IP[:PORT]", description = "Address other nodes use to reach this one.")
    String advertiseAddr = "";

    @Option(names = "--listen-addr", paramLabel = "IP:PORT", description = "Cluster listen address (default: the daemon's).")
    String listenAddr = "";

    @Parameters(paramLabel = "MANAGER_IP:PORT", description = "A manager of the cluster.")
    String remote;

    @Override
    protected int execute() {
        JoinResponse r = local(120).join(JoinRequest.newBuilder().setToken(token).setRemoteAddr(remote)
                .setAdvertiseAddr(advertiseAddr).setListenAddr(listenAddr).build());
        out().printf("This node joined a Shoal cluster as a %s.%n",
                r.getRole() == NodeRole.NODE_ROLE_MANAGER ? "manager" : "worker");
        return 0;
    }
}
