package io.shoal.cli.commands;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ControlGrpc;
import io.shoal.api.LocalInfoRequest;
import io.shoal.api.LocalNodeGrpc;
import io.shoal.cli.RootCommand;
import io.shoal.cli.client.Connection;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** A command that talks to a daemon: opens the connection, runs, closes it. */
public abstract class ClientCommand implements Callable<Integer> {
    @Spec
    protected CommandSpec spec;

    private Connection connection;

    protected abstract int execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
        try (Connection c = Connection.open(RootCommand.currentHost(), spec.commandLine())) {
            connection = c;
            return execute();
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Channel channel() {
        return connection.channel();
    }

    ControlGrpc.ControlBlockingStub control() {
        return ControlGrpc.newBlockingStub(connection.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    protected LocalNodeGrpc.LocalNodeBlockingStub local(int seconds) {
        return LocalNodeGrpc.newBlockingStub(connection.channel()).withDeadlineAfter(seconds, TimeUnit.SECONDS);
    }

    /**
     * A NODE argument: {@code self} is the node this daemon runs (asked of the daemon's local
     * socket; over tcp:// there is none, so name the node instead).
     */
    protected String node(String ref) {
        if (!ref.equals("self")) {
            return ref;
        }
        try {
            return local(5).info(LocalInfoRequest.getDefaultInstance()).getNodeId();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                throw Status.FAILED_PRECONDITION.withDescription("'self' means the node of the daemon at " + RootCommand.currentHost()
                        + ", which does not say who it is over tcp://; name the node instead").asRuntimeException();
            }
            throw e;
        }
    }

    protected CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
