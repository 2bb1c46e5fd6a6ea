package io.shoal.cli.commands;

import io.shoal.api.LeaveRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "leave", mixinStandardHelpOptions = true, description = "Leave the cluster.")
public final class LeaveCommand extends ClientCommand {
    @Option(names = {"-f", "--force"}, description = "Leave even though this node is a manager.")
    boolean force;

    @Override
    protected int execute() {
        local(60).leave(LeaveRequest.newBuilder().setForce(force).build());
        out().println("Node left the cluster.");
        return 0;
    }
}
