package io.shoal.manager.rpc;

import io.grpc.Context;
import io.grpc.Status;
import io.shoal.api.NodeRole;

/**
 * Who made the current call: a node of the cluster (from its client certificate, or named by the
 * manager that forwarded the call), the local user on the daemon's unix socket, or nobody (a TLS
 * peer without a certificate: a node that is joining).
 */
public record Caller(Kind kind, String nodeId, NodeRole role) {
    public enum Kind { NODE, LOCAL, ANONYMOUS }

    public static final Context.Key<Caller> KEY = Context.key("shoal-caller");
    public static final Caller LOCAL = new Caller(Kind.LOCAL, "", NodeRole.NODE_ROLE_WORKER);
    public static final Caller ANONYMOUS = new Caller(Kind.ANONYMOUS, "", NodeRole.NODE_ROLE_WORKER);

    public static Caller node(String nodeId, NodeRole role) {
        return new Caller(Kind.NODE, nodeId, role);
    }

    /** The caller of the current gRPC call (ANONYMOUS when none was set). */
    public static Caller current() {
        Caller c = KEY.get();
        return c == null ? ANONYMOUS : c;
    }

    public boolean isManager() {
        return kind == Kind.NODE && role == NodeRole.NODE_ROLE_MANAGER;
    }

    /** The caller must be a node of the cluster; returns it. */
    public static Caller requireNode() {
        Caller c = current();
        if (c.kind != Kind.NODE) {
            throw Status.UNAUTHENTICATED.withDescription("this call needs a node certificate of this cluster").asRuntimeException();
        }
        return c;
    }
}
