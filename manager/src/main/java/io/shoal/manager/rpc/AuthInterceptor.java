package io.shoal.manager.rpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.shoal.api.NodeRole;
import io.shoal.manager.ca.CertRole;
import io.shoal.manager.ca.NodeIdentity;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * Establishes the {@link Caller} of every call from the peer's TLS client certificate (already
 * verified against the cluster's trusted roots by the TLS layer) and lets the call through only if
 * the {@link AccessPolicy} allows that caller; otherwise the call ends with a one-line reason.
 * <p>
 * A manager that forwards a call on behalf of another caller names it in the
 * {@code shoal-on-behalf-of} header; it is believed only when the direct peer is a manager.
 * On the local unix socket there is no TLS session: the caller is the local (root) user.
 */
public final class AuthInterceptor implements ServerInterceptor {
    public static final Metadata.Key<String> ON_BEHALF_OF =
            Metadata.Key.of("shoal-on-behalf-of", Metadata.ASCII_STRING_MARSHALLER);
    /** The leaf certificate the caller presented (cluster port only), for calls that record it. */
    public static final Context.Key<X509Certificate> PEER_CERTIFICATE = Context.key("shoal-peer-certificate");

    private static final String IDENTITY = "shoal.node-identity";

    private final String clusterId;
    private final AccessPolicy policy;
    private final boolean localSocket;

    public AuthInterceptor(String clusterId, AccessPolicy policy, boolean localSocket) {
        this.clusterId = clusterId;
        this.policy = policy;
        this.localSocket = localSocket;
    }

    /** For the cluster port of a node of {@code clusterId}. */
    public static AuthInterceptor clusterPort(String clusterId) {
        return new AuthInterceptor(clusterId, ClusterAccess.POLICY, false);
    }

    /** For the daemon's unix socket: every caller is the local (root) user. */
    public static AuthInterceptor local() {
        return new AuthInterceptor("", ClusterAccess.POLICY, true);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Caller caller;
        X509Certificate leaf = null;
        try {
            if (localSocket) {
                caller = Caller.LOCAL;
            } else {
                leaf = peerLeaf(call);
                caller = identify(leaf, call, headers);
            }
        } catch (IllegalArgumentException e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Status denied = policy.check(call.getMethodDescriptor().getFullMethodName(), caller.principal());
        if (denied != null) {
            call.close(denied, new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Context ctx = Context.current().withValue(Caller.KEY, caller);
        if (leaf != null) {
            ctx = ctx.withValue(PEER_CERTIFICATE, leaf);
        }
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    private static X509Certificate peerLeaf(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private Caller identify(X509Certificate leaf, ServerCall<?, ?> call, Metadata headers) {
        if (leaf == null) {
            return Caller.ANONYMOUS;
        }
        // the peer's identity is read once per TLS session: parsing the certificate's subject on
        // every call (a heartbeat per node every period) cost more than the call itself
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        NodeIdentity id = session.getValue(IDENTITY) instanceof NodeIdentity known ? known : null;
        if (id == null) {
            id = NodeIdentity.of(leaf);
            session.putValue(IDENTITY, id);
        }
        if (!id.clusterId().equals(clusterId)) {
            throw new IllegalArgumentException("certificate belongs to another cluster");
        }
        return switch (id.role()) {
            case OPERATOR -> Caller.operator(id.nodeId());
            case WORKER -> Caller.node(id.nodeId(), NodeRole.NODE_ROLE_WORKER);
            case MANAGER -> onBehalf(Caller.node(id.nodeId(), NodeRole.NODE_ROLE_MANAGER), headers);
        };
    }

    private static Caller onBehalf(Caller direct, Metadata headers) {
        String v = headers.get(ON_BEHALF_OF);
        if (v == null || v.isEmpty()) {
            return direct;
        }
        if (v.equals("local")) {
            return Caller.LOCAL;
        }
        if (v.equals("anonymous")) {
            return Caller.ANONYMOUS;
        }
        int slash = v.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("malformed shoal-on-behalf-of header");
        }
        String id = v.substring(0, slash);
        return switch (v.substring(slash + 1)) {
            case "manager" -> Caller.node(id, CertRole.MANAGER.nodeRole());
            case "worker" -> Caller.node(id, CertRole.WORKER.nodeRole());
            case "operator" -> Caller.operator(id);
            default -> throw new IllegalArgumentException("malformed shoal-on-behalf-of header");
        };
    }

    /** The header value that names {@code caller} to the next hop. */
    public static String onBehalfValue(Caller caller) {
        return switch (caller.kind()) {
            case LOCAL -> "local";
            case NODE -> caller.nodeId() + "/" + (caller.isManager() ? "manager" : "worker");
            case OPERATOR -> caller.id() + "/operator";
            case ANONYMOUS -> "anonymous"; // never the forwarding manager's own rights
        };
    }
}
