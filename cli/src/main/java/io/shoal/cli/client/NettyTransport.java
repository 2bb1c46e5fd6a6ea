package io.shoal.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;

import javax.net.ssl.SSLException;
import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * grpc-java's Netty channel, for what the light client does not do: TLS over tcp:// and streaming
 * calls. Only this class names Netty, so that a command that never needs it never loads it.
 *
 * <p>The channel runs on an event loop of its own, which {@link #close} stops: a thread left waiting
 * in epoll (native code) holds the JVM's exit for 300 ms, the exit waiting for threads in native
 * code to come back (docs/operations.md, "A fast CLI").
 */
final class NettyTransport implements AutoCloseable {
    private final EpollEventLoopGroup group;
    private final ManagedChannel channel;

    private NettyTransport(EpollEventLoopGroup group, ManagedChannel channel) {
        this.group = group;
        this.channel = channel;
    }

    static NettyTransport unix(Path socket) {
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        return new NettyTransport(group, NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class)
                .eventLoopGroup(group)
                .usePlaintext()
                .build());
    }

    /** Mutual TLS to {@code addr} (IP:PORT) with ca.pem, cert.pem and key.pem from {@code dir}. */
    static NettyTransport tls(String addr, Path dir) throws SSLException {
        var ssl = GrpcSslContexts.forClient()
                .trustManager(new File(dir.resolve("ca.pem").toString()))
                .keyManager(new File(dir.resolve("cert.pem").toString()), new File(dir.resolve("key.pem").toString()))
                .build();
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        return new NettyTransport(group, NettyChannelBuilder.forTarget(addr)
                .channelType(EpollSocketChannel.class).eventLoopGroup(group).sslContext(ssl).build());
    }

    ManagedChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(1, TimeUnit.SECONDS);
    }
}
