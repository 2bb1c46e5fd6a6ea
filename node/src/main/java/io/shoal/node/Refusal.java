package io.shoal.node;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.ControlGrpc;

import java.util.List;

/**
 * Stands in for services this daemon cannot serve now, every call answered with one status that
 * says what to do: the cluster API on a daemon in no cluster, on a worker, on a locked manager.
 */
final class Refusal {
    /** The services a client administers the cluster with: only managers serve them. */
    static final List<ServiceDescriptor> CLUSTER_API = List.of(ControlGrpc.getServiceDescriptor(),
            ClusterSecurityGrpc.getServiceDescriptor());

    static final String NOT_IN_CLUSTER = "this node is not part of a Shoal cluster: run 'shoal init' or 'shoal join'";
    static final String LOCKED = "this node is locked: run 'shoal unlock' and provide the unlock key";
    static final String NOT_A_MANAGER = "this node is not a manager: use a manager's socket or -H tcp://MANAGER";

    private Refusal() {}

    /** Every method of {@code descriptor} answers {@code status}. */
    static ServerServiceDefinition service(ServiceDescriptor descriptor, Status status) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor);
        for (MethodDescriptor<?, ?> m : descriptor.getMethods()) {
            add(b, m, status);
        }
        return b.build();
    }

    /** The cluster API refused with {@code message} (FAILED_PRECONDITION: the request was fine, the node is not). */
    static List<ServerServiceDefinition> clusterApi(String message) {
        Status s = Status.FAILED_PRECONDITION.withDescription(message);
        return CLUSTER_API.stream().map(d -> service(d, s)).toList();
    }

    private static <Q, R> void add(ServerServiceDefinition.Builder b, MethodDescriptor<Q, R> m, Status status) {
        b.addMethod(m, (ServerCall<Q, R> call, Metadata headers) -> {
            call.close(status, new Metadata());
            return new ServerCall.Listener<Q>() {};
        });
    }
}
