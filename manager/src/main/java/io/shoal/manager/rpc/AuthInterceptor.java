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
import io.shoal.manager.ca.NodeIdentity;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;

/**
 * Establishes the {@link Caller} of every call on the cluster port from the peer's TLS client
 * certificate (already verified against the cluster root CA by the TLS layer), and enforces who may
 * call what:
 * <ul>
 *   <li>methods in {@code anonymous} may be called without a certificate (joining nodes);</li>
 *   <li>services in {@code managersOnly} need a manager certificate;</li>
 *   <li>everything else needs a node certificate of this cluster.</li>
 * </ul>
 * A manager that forwards a call on behalf of another node names that node in the
 * {@code shoal-on-behalf-of} header; it is believed only when the direct peer is a manager.
 * On the local unix socket there is no TLS session: the caller is the local user.
 */
public final class AuthInterceptor implements ServerInterceptor {
    public static final Metadata.Key<String> ON_BEHALF_OF =
            Metadata.Key.of("shoal-on-behalf-of", Metadata.ASCII_STRING_MARSHALLER);

    private static final String IDENTITY = "shoal.node-identity";

    private final String clusterId;
    private final Set<String> anonymousMethods;
    private final Set<String> managerOnlyServices;
    private final boolean localSocket;

    public AuthInterceptor(String clusterId, Set<String> anonymousMethods, Set<String> managerOnlyServices, boolean localSocket) {
        this.clusterId = clusterId;
        this.anonymousMethods = Set.copyOf(anonymousMethods);
        this.managerOnlyServices = Set.copyOf(managerOnlyServices);
        this.localSocket = localSocket;
    }

    /** For the daemon's unix socket: every caller is the local (root) user. */
    public static AuthInterceptor local() {
        return new AuthInterceptor("", Set.of(), Set.of(), true);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Caller caller;
        try {
            caller = localSocket ? onBehalf(Caller.LOCAL, headers) : identify(call, headers);
        } catch (IllegalArgumentException e) {
            call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        String method = call.getMethodDescriptor().getFullMethodName();
        String service = call.getMethodDescriptor().getServiceName();
        Status denied = null;
        if (caller.kind() == Caller.Kind.ANONYMOUS && !anonymousMethods.contains(method)) {
            denied = Status.UNAUTHENTICATED.withDescription("this call needs a node certificate of this cluster");
        } else if (managerOnlyServices.contains(service) && !caller.isManager() && caller.kind() != Caller.Kind.LOCAL) {
            denied = Status.PERMISSION_DENIED.withDescription("only managers may call " + method);
        }
        if (denied != null) {
            call.close(denied, new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Context ctx = Context.current().withValue(Caller.KEY, caller);
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    private Caller identify(ServerCall<?, ?> call, Metadata headers) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return Caller.ANONYMOUS;
        }
        // the peer's identity is read once per TLS session: parsing the certificate's subject on
        // every call (a heartbeat per node every period) cost more than the call itself
        NodeIdentity id = session.getValue(IDENTITY) instanceof NodeIdentity known ? known : null;
        if (id == null) {
            Certificate[] chain;
            try {
                chain = session.getPeerCertificates();
            } catch (SSLPeerUnverifiedException e) {
                return Caller.ANONYMOUS;
            }
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                return Caller.ANONYMOUS;
            }
            id = NodeIdentity.of(leaf);
            session.putValue(IDENTITY, id);
        }
        if (!id.clusterId().equals(clusterId)) {
            throw new IllegalArgumentException("certificate belongs to another cluster");
        }
        Caller direct = Caller.node(id.nodeId(), id.role());
        return direct.isManager() ? onBehalf(direct, headers) : direct;
    }

    private static Caller onBehalf(Caller direct, Metadata headers) {
        String v = headers.get(ON_BEHALF_OF);
        if (v == null || v.isEmpty()) {
            return direct;
        }
        if (v.equals("local")) {
            return Caller.LOCAL;
        }
        int slash = v.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("malformed shoal-on-behalf-of header");
        }
        NodeRole role = v.substring(slash + 1).equals("manager") ? NodeRole.NODE_ROLE_MANAGER : NodeRole.NODE_ROLE_WORKER;
        return Caller.node(v.substring(0, slash), role);
    }

    /** The header value that names {@code caller} to the next hop. */
    public static String onBehalfValue(Caller caller) {
        return switch (caller.kind()) {
            case LOCAL -> "local";
            case NODE -> caller.nodeId() + "/" + (caller.isManager() ? "manager" : "worker");
            case ANONYMOUS -> "";
        };
    }
}
