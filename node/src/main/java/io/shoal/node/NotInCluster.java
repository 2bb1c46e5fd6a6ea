package io.shoal.node;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;

/** Stands in for cluster services on a daemon that is in no cluster, with an answer that says what to do. */
final class NotInCluster {
    static final String MESSAGE = "this node is not part of a Shoal cluster: run 'shoal init' or 'shoal join'";

    private NotInCluster() {}

    static ServerServiceDefinition service(ServiceDescriptor descriptor) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor);
        for (MethodDescriptor<?, ?> m : descriptor.getMethods()) {
            add(b, m);
        }
        return b.build();
    }

    private static <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> m) {
        b.addMethod(m, (ServerCall<Q, R> call, Metadata headers) -> {
            call.close(Status.FAILED_PRECONDITION.withDescription(MESSAGE), new Metadata());
            return new ServerCall.Listener<Q>() {};
        });
    }
}
