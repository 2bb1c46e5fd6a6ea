package io.shoal.node;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.shoal.api.DispatcherGrpc;

import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The calls the cluster port handles on the transport's own thread instead of the server's
 * executor (a virtual thread per message): the workers' heartbeat streams. A fleet sends thousands
 * of heartbeats a second, and handling one never blocks (a session lookup, two map puts, an answer
 * queued), so the hand-offs around it (a carrier thread woken for the virtual thread, then the
 * event loop woken to write the answer) cost more than the heartbeat itself. Every other call keeps
 * the server's executor: a handler that blocked on the transport thread would stall every
 * connection of its event loop.
 */
final class InlineCalls implements ServerCallExecutorSupplier {
    static final Set<String> METHODS = Set.of(DispatcherGrpc.getHeartbeatsMethod().getFullMethodName());
    private static final Executor INLINE = Runnable::run;

    /** The transport's thread for {@link #METHODS}; null (the server's executor) for every other call. */
    @Override
    public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        return METHODS.contains(call.getMethodDescriptor().getFullMethodName()) ? INLINE : null;
    }
}
