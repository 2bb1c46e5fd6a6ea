package io.shoal.manager.rpc;

import io.grpc.Context;
import io.grpc.Status;
import io.shoal.api.NodeRole;

/**
 * Who made the current call: a node of the cluster (from its client certificate, or named by the
 * manager that forwarded the call), an operator (a certificate from {@code shoal ca client-cert}),
 * the local user on the daemon's unix socket, or nobody (a TLS peer without a certificate: a node
 * that is joining).
 *
 * @param id   the node id, or the operator id; empty for the local user and anonymous callers
 * @param role for a node, the role its certificate names
 */
public record Caller(Kind kind, String id, NodeRole role) {
    public enum Kind { NODE, OPERATOR, LOCAL, ANONYMOUS }

    public static final Context.Key<Caller> KEY = Context.key("shoal-caller");
    public static final Caller LOCAL = new Caller(Kind.LOCAL, "", NodeRole.NODE_ROLE_WORKER);
    public static final Caller ANONYMOUS = new Caller(Kind.ANONYMOUS, "", NodeRole.NODE_ROLE_WORKER);

    public static Caller node(String nodeId, NodeRole role) {
        return new Caller(Kind.NODE, nodeId, role);
    }

    public static Caller operator(String operatorId) {
        return new Caller(Kind.OPERATOR, operatorId, NodeRole.NODE_ROLE_WORKER);
    }

    /** The caller of the current gRPC call (ANONYMOUS when none was set). */
    public static Caller current() {
        Caller c = KEY.get();
        return c == null ? ANONYMOUS : c;
    }

    /** The node id of a node caller ({@link #id()}). */
    public String nodeId() {
        return id;
    }

    public boolean isManager() {
        return kind == Kind.NODE && role == NodeRole.NODE_ROLE_MANAGER;
    }

    /** What the access policy knows this caller as. */
    public Principal principal() {
        return switch (kind) {
            case NODE -> role == NodeRole.NODE_ROLE_MANAGER ? Principal.MANAGER : Principal.WORKER;
            case OPERATOR -> Principal.OPERATOR;
            case LOCAL -> Principal.LOCAL;
            case ANONYMOUS -> Principal.ANONYMOUS;
        };
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
