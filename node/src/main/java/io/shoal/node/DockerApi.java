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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * {@code shoal daemon --docker-api unix:///PATH|tcp://IP:PORT}: the Docker Engine API of
 * {@link io.shoal.engineapi}, a client of this node's own local socket. On tcp, mutual TLS with
 * this node's certificate under the cluster's root CA; a client must present a manager's (or an
 * operator's) certificate of the cluster, as for the cluster port.
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

    /** Starts the listeners; {@code socket} is the daemon's own local socket. */
    static DockerApi start(List<String> addrs, Path socket, NodeFiles files) throws IOException {
        ManagedChannel ch = LocalSocket.connect(socket);
        EngineApiServer server = new EngineApiServer(EngineApi.router(new Backend(ch, VERSION, System::nanoTime)));
        try {
            for (String a : addrs) {
                if (a.startsWith("unix://")) {
                    server.listenUnix(Path.of(a.substring(7)));
                } else {
                    Addresses.HostPort hp = Addresses.parse(a.substring(6), "--docker-api", -1);
                    server.listenTcp(new InetSocketAddress(hp.host(), hp.port()), () -> tls(files), DockerApi::authorize);
                }
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            ch.shutdownNow();
            throw e;
        }
        return new DockerApi(server, ch);
    }

    /** This node's identity as a TLS server that requires a client certificate of the cluster; null outside a cluster. */
    private static SslContext tls(NodeFiles files) {
        if (!Files.exists(files.nodeCert())) {
            LOG.info("Docker Engine API: a tcp connection before this node is in a cluster is closed (no certificate yet)");
            return null;
        }
        try {
            NodeFiles.Identity id = files.loadIdentity();
            return SslContextBuilder.forServer(id.key(), id.cert()).trustManager(id.ca()).clientAuth(ClientAuth.REQUIRE).build();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Docker Engine API: cannot load this node's TLS identity: {}", e.getMessage());
            return null;
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
