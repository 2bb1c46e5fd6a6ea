package io.shoal.node;

import io.grpc.ManagedChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.shoal.engineapi.ApiError;
import io.shoal.engineapi.Authorizer;
import io.shoal.engineapi.Backend;
import io.shoal.engineapi.EngineApi;
import io.shoal.engineapi.EngineApiServer;
import io.shoal.manager.ca.CaException;
import io.shoal.manager.ca.CertRole;
import io.shoal.manager.ca.NodeIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code shoal daemon --docker-api unix:///PATH|tcp://IP:PORT}: the Docker Engine API of
 * {@link io.shoal.engineapi}, a client of this node's own local socket. On tcp, mutual TLS with
 * this node's certificate under the cluster's root CA, the one it renews in place; a client must
 * present a manager's (or an operator's) certificate of the cluster, as for the cluster port.
 */
final class DockerApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DockerApi.class);
    /** The version the Engine API reports as the engine's. */
    static final String VERSION = "0.1.0";

    private final EngineApiServer server;
    private final ManagedChannel channel;

    private DockerApi(EngineApiServer server, ManagedChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    /** Checks an address as {@code --docker-api} takes it; throws naming the flag. */
    static void validate(String addr) {
        if (addr.startsWith("unix://")) {
            if (addr.length() == "unix://".length() || !addr.substring(7).startsWith("/")) {
                throw new IllegalArgumentException("--docker-api: '" + addr + "' must be unix:///absolute/path");
            }
            return;
        }
        if (addr.startsWith("tcp://")) {
            Addresses.HostPort hp = Addresses.parse(addr.substring(6), "--docker-api", -1);
            if (hp.port() < 0) {
                throw new IllegalArgumentException("--docker-api: '" + addr + "' needs a port (tcp://IP:PORT)");
            }
            return;
        }
        throw new IllegalArgumentException("--docker-api: '" + addr + "' must be unix:///PATH or tcp://IP:PORT");
    }

    /**
     * Starts the listeners; {@code socket} is the daemon's own local socket, {@code identity} the
     * node's TLS identity as it is now (null outside a cluster), asked at each tcp connection.
     */
    static DockerApi start(List<String> addrs, Path socket, Supplier<NodeTls> identity) throws IOException {
        ManagedChannel ch = LocalSocket.connect(socket);
        EngineApiServer server = new EngineApiServer(EngineApi.router(new Backend(ch, VERSION, System::nanoTime)));
        try {
            ServerTls tls = new ServerTls(identity);
            for (String a : addrs) {
                if (a.startsWith("unix://")) {
                    server.listenUnix(Path.of(a.substring(7)));
                } else {
                    Addresses.HostPort hp = Addresses.parse(a.substring(6), "--docker-api", -1);
                    server.listenTcp(new InetSocketAddress(hp.host(), hp.port()), tls, DockerApi::authorize);
                }
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            ch.shutdownNow();
            throw e;
        }
        return new DockerApi(server, ch);
    }

    /**
     * The tcp listeners' TLS: the node's own {@link NodeTls}, the key and trust managers the cluster
     * port and Raft use, so a renewed certificate is presented from the next handshake on. One
     * server context per {@link NodeTls}: a new one only when the node's membership is rebuilt (a
     * join, a role change). A client must present a certificate of the cluster.
     */
    private static final class ServerTls implements Supplier<SslContext> {
        private final Supplier<NodeTls> identity;
        private NodeTls builtFor;
        private SslContext context;

        ServerTls(Supplier<NodeTls> identity) {
            this.identity = identity;
        }

        /** The context for the node's identity now; null (the connection is closed) outside a cluster. */
        @Override
        public synchronized SslContext get() {
            NodeTls tls = identity.get();
            if (tls == null) {
                LOG.info("Docker Engine API: a tcp connection before this node is in a cluster is closed (no certificate yet)");
                return null;
            }
            if (tls != builtFor) {
                try {
                    context = SslContextBuilder.forServer(tls.keyManager()).trustManager(tls.trustManager())
                            .clientAuth(ClientAuth.REQUIRE).build();
                } catch (SSLException e) {
                    LOG.warn("Docker Engine API: cannot build the TLS context of this node's identity: {}", e.getMessage());
                    return null;
                }
                builtFor = tls;
            }
            return context;
        }
    }

    /** A manager's or an operator's certificate of this cluster (verified by TLS against its root CA) administers it. */
    private static void authorize(X509Certificate cert) {
        if (cert == null) {
            throw new ApiError(403, "a client certificate of this cluster is required");
        }
        NodeIdentity id;
        try {
            id = NodeIdentity.of(cert);
        } catch (CaException e) {
            throw new ApiError(403, "the client certificate names no role of this cluster: " + e.getMessage());
        }
        if (id.role() == CertRole.WORKER) {
            throw new ApiError(403, "a worker's certificate cannot administer the cluster; use a manager's or an operator's");
        }
    }

    @Override
    public void close() {
        server.close();
        channel.shutdownNow();
    }
}
