package io.shoal.cli.commands;

import io.shoal.api.ClusterInfo;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.GetJoinTokensRequest;
import io.shoal.api.JoinTokens;
import io.shoal.api.RotateJoinTokenRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "join-token", mixinStandardHelpOptions = true, description = "Show or rotate a join token.")
public final class JoinTokenCommand extends ClientCommand {
    @Option(names = "--rotate", description = "Replace the token; the old one stops working.")
    boolean rotate;

    @Option(names = {"-q", "--quiet"}, description = "Only print the token.")
    boolean quiet;

    @Parameters(paramLabel = "worker|manager")
    String role;

    @Override
    protected int execute() {
        boolean worker = role.equals("worker");
        if (!worker && !role.equals("manager")) {
            throw usage("'" + role + "' is not a role: use worker or manager");
        }
        JoinTokens t = rotate
                ? control().rotateJoinToken(RotateJoinTokenRequest.newBuilder().setWorker(worker).setManager(!worker).build())
                : control().getJoinTokens(GetJoinTokensRequest.getDefaultInstance());
        String token = worker ? t.getWorker() : t.getManager();
        if (quiet) {
            out().println(token);
            return 0;
        }
        if (rotate) {
            out().printf("Successfully rotated %s join token.%n%n", role);
        }
        ClusterInfo info = control().getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
        out().printf("To add a %s to this cluster, run the following command:%n%n    shoal join --token %s %s%n",
                role, token, info.getLeaderAddr());
        return 0;
    }
}
