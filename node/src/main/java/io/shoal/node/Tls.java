package io.shoal.node;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;

/**
 * TLS for the cluster port. Servers ask for a client certificate but accept its absence (a joining
 * node has none yet); {@code AuthInterceptor} then decides per call. Clients always verify the
 * server against the cluster root CA, including the IP in its certificate, except for the single
 * bootstrap call that fetches the CA, whose answer the joiner checks against its token's digest.
 */
public final class Tls {
    /**
     * The largest reply a client of ours reads (gRPC's default is 4 MB): listing 100,000 tasks is
     * ~17 MB, and a node's full assignment set grows with its tasks' specs.
     */
    public static final int MAX_MESSAGE_BYTES = 256 << 20;

    private Tls() {}

    /** The cluster port's server: presents and trusts whatever {@code tls} holds at each handshake. */
    static SslContext server(NodeTls tls) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(tls.keyManager()))
                    .trustManager(tls.trustManager())
                    .clientAuth(ClientAuth.OPTIONAL)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the server TLS context: " + e.getMessage(), e);
        }
    }

    /** A client that presents and trusts whatever {@code tls} holds at each handshake. */
    static SslContext client(NodeTls tls) {
        try {
            return GrpcSslContexts.forClient().keyManager(tls.keyManager()).trustManager(tls.trustManager()).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the client TLS context: " + e.getMessage(), e);
        }
    }

    public static SslContext client(NodeFiles.Identity id) {
        try {
            return GrpcSslContexts.forClient().keyManager(id.key(), id.chain().toArray(X509Certificate[]::new))
                    .trustManager(id.roots().toArray(X509Certificate[]::new)).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the client TLS context: " + e.getMessage(), e);
        }
    }

    /** Verifies the server against {@code ca} but presents no certificate (joining). */
    static SslContext anonymousClient(X509Certificate ca) {
        try {
            return GrpcSslContexts.forClient().trustManager(ca).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts any server: only for fetching the root CA, which is then checked against the token. */
    public static SslContext bootstrapClient() {
        try {
            return GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ManagedChannel channel(String address, SslContext ctx) {
        return NettyChannelBuilder.forTarget(address)
                .sslContext(ctx)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
    }
}
