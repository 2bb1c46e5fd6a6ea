package io.shoal.engineapi;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The listeners of {@code shoal daemon --docker-api}: a unix socket (as {@code /var/run/docker.sock},
 * guarded by its file permissions) and/or tcp with mutual TLS under the cluster's CA. One event
 * loop thread does the I/O; routes run on virtual threads.
 */
public final class EngineApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineApiServer.class);
    /** Request bodies (specs, secrets) larger than this are refused. */
    private static final int MAX_BODY = 16 << 20;

    private final Router router;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ExecutorService routes = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Channel> listeners = new ArrayList<>();
    private final List<Path> sockets = new ArrayList<>();

    public EngineApiServer(Router router) {
        this.router = router;
    }

    /** Serves on a unix socket (made rw for its owner and group only). */
    public void listenUnix(Path socket) throws IOException {
        Files.createDirectories(socket.toAbsolutePath().getParent());
        Files.deleteIfExists(socket);
        Channel ch = bind(new ServerBootstrap().channel(NioServerDomainSocketChannel.class), UnixDomainSocketAddress.of(socket),
                null, Authorizer.ANYONE);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        sockets.add(socket);
        LOG.info("Docker Engine API on unix://{}", socket);
        listeners.add(ch);
    }

    /**
     * Serves on tcp with TLS from {@code tls}, asked at each connection (a renewed certificate is
     * used from the next connection on); a connection while it gives null is closed. A null
     * {@code tls} serves plain http, for tests only.
     */
    public void listenTcp(InetSocketAddress addr, Supplier<SslContext> tls, Authorizer authorizer) throws IOException {
        Channel ch = bind(new ServerBootstrap().channel(NioServerSocketChannel.class), addr, tls, authorizer);
        LOG.info("Docker Engine API on tcp://{}:{}{}", addr.getHostString(), addr.getPort(), tls == null ? " (plain: tests only)" : " (mutual TLS)");
        listeners.add(ch);
    }

    /** The address a listener is bound to (tests bind port 0). */
    public InetSocketAddress tcpAddress(int i) {
        return (InetSocketAddress) listeners.get(i).localAddress();
    }

    private Channel bind(ServerBootstrap b, SocketAddress addr, Supplier<SslContext> tls, Authorizer authorizer)
            throws IOException {
        b.group(group).childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                if (tls != null) {
                    SslContext ctx = tls.get();
                    if (ctx == null) {
                        ch.close();
                        return;
                    }
                    p.addLast(ctx.newHandler(ch.alloc()));
                }
                p.addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_BODY), new HttpHandler(router, routes, authorizer));
            }
        });
        try {
            return b.bind(addr).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + addr);
        } catch (Exception e) {
            throw new IOException("cannot listen on " + addr + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        listeners.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        routes.shutdownNow();
        for (Path s : sockets) {
            try {
                Files.deleteIfExists(s);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
