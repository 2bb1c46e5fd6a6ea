package io.shoal.net.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The embedded DNS server: UDP and TCP on one address and port, answering our names from
 * {@link Records} and forwarding the rest to upstream resolvers.
 *
 * <pre>{@code
 * ServiceRecords records = new ServiceRecords(clientTable);
 * try (DnsServer dns = DnsServer.builder(records)
 *         .bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.11"), 53))
 *         .upstreams(Upstreams.host())
 *         .start()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>What a query gets: a name {@link Records} finds for the asker gets its A records (TTL
 * {@link Builder#ttl}, default 1 s, so task changes show quickly), or no records for AAAA and other
 * types (IPv4 only); a name that is ours but hidden from the asker gets NXDOMAIN and is never forwarded;
 * any other name, and any class but IN, is forwarded to the upstreams in order, each with
 * {@link Builder#upstreamTimeout}, and gets SERVFAIL if none answers. UDP answers that do not fit the
 * client's size (512 bytes, or its EDNS size) are truncated with TC set, and the client retries over TCP;
 * truncated upstream replies are fetched again over TCP.
 *
 * <p>Network namespaces: {@link Builder#start()} opens every socket it binds on the calling thread, and
 * a socket belongs to the namespace its creating thread was in; with the server's own event loop (no
 * {@link Builder#eventLoopGroup}) the loop's thread is also started from the calling thread and inherits
 * its namespace, so upstream queries leave from there too. So to serve inside a container's network
 * namespace, call {@code start()} on a thread that has entered it; nothing here assumes either way.
 */
public final class DnsServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DnsServer.class.getName());
    private static final int MAX_MESSAGE = 65535;
    private static final int BIND_TRIES = 8;

    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final Forwarder forwarder;
    private final Channel udp;
    private final Channel tcp;
    private final InetSocketAddress address;

    private DnsServer(EventLoopGroup group, boolean ownGroup, Forwarder forwarder, Channel udp, Channel tcp) {
        this.group = group;
        this.ownGroup = ownGroup;
        this.forwarder = forwarder;
        this.udp = udp;
        this.tcp = tcp;
        this.address = (InetSocketAddress) udp.localAddress();
    }

    /** A server that answers from {@code records}. */
    public static Builder builder(Records records) {
        return new Builder(records);
    }

    /** The address and port the server listens on (UDP, and TCP on the same port). */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops listening, abandons queries in flight and, if it made its own, stops the event loop. */
    @Override
    public void close() {
        forwarder.close();
        udp.close().syncUninterruptibly();
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        if (ownGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** How to run a {@link DnsServer}. */
    public static final class Builder {
        private final Records records;
        private InetSocketAddress bind = new InetSocketAddress("127.0.0.1", 0);
        private List<InetSocketAddress> upstreams = List.of();
        private Duration upstreamTimeout = Duration.ofSeconds(2);
        private Duration ttl = Duration.ofSeconds(1);
        private Duration tcpIdle = Duration.ofSeconds(30);
        private boolean tcp = true;
        private EventLoopGroup group;

        private Builder(Records records) {
            this.records = Objects.requireNonNull(records, "records");
        }

        /** Where to listen; port 0 picks a free port, the same for UDP and TCP. Default 127.0.0.1:0. */
        public Builder bind(InetSocketAddress address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The resolvers other names go to, tried in order. None: every such query gets SERVFAIL. */
        public Builder upstreams(List<InetSocketAddress> upstreams) {
            this.upstreams = List.copyOf(upstreams);
            return this;
        }

        /** How long to wait for each upstream before trying the next. Default 2 s. */
        public Builder upstreamTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("upstream timeout must be positive, not " + timeout);
            }
            this.upstreamTimeout = timeout;
            return this;
        }

        /** The TTL of our answers, whole seconds. Default 1 s. */
        public Builder ttl(Duration ttl) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("TTL must not be negative, not " + ttl);
            }
            this.ttl = ttl;
            return this;
        }

        /** Whether to listen on TCP as well as UDP. Default true. */
        public Builder tcp(boolean tcp) {
            this.tcp = tcp;
            return this;
        }

        /** How long an idle TCP client connection stays open. Default 30 s. */
        public Builder tcpIdle(Duration idle) {
            this.tcpIdle = idle;
            return this;
        }

        /**
         * Runs the server on an existing NIO event loop group (one made with {@link NioIoHandler}),
         * which {@link DnsServer#close()} then leaves running. Default: a one-thread group of its own.
         */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        /** Binds UDP and TCP and starts answering. */
        public DnsServer start() throws IOException {
            boolean own = group == null;
            EventLoopGroup g = own
                    ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("shoal-dns", true),
                            NioIoHandler.newFactory())
                    : group;
            Forwarder forwarder = new Forwarder(upstreams, upstreamTimeout, true);
            QueryHandler handler = new QueryHandler(records, forwarder, ttl.toSeconds());
            try {
                List<Channel> channels = bindBoth(g, handler);
                return new DnsServer(g, own, forwarder, channels.get(0), tcp ? channels.get(1) : null);
            } catch (IOException | RuntimeException e) {
                forwarder.close();
                if (own) {
                    g.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
                }
                throw e;
            }
        }

        /** UDP first, then TCP on the port UDP got; with port 0, tries again if that port is taken on TCP. */
        private List<Channel> bindBoth(EventLoopGroup g, QueryHandler handler) throws IOException {
            IOException last = null;
            for (int attempt = 0; attempt < (bind.getPort() == 0 ? BIND_TRIES : 1); attempt++) {
                Channel udp = bindUdp(g, handler);
                if (!tcp) {
                    return List.of(udp);
                }
                InetSocketAddress got = (InetSocketAddress) udp.localAddress();
                try {
                    Channel tcpChannel = bindTcp(g, handler, new InetSocketAddress(bind.getAddress(), got.getPort()));
                    return List.of(udp, tcpChannel);
                } catch (IOException e) {
                    udp.close().syncUninterruptibly();
                    last = e;
                }
            }
            throw last;
        }

        private Channel bindUdp(EventLoopGroup g, QueryHandler handler) throws IOException {
            return await(new Bootstrap()
                    .group(g)
                    .channel(NioDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            InetSocketAddress sender = packet.sender();
                            Channel ch = ctx.channel();
                            handler.handle(packet.content(), sender, true, ch.eventLoop(),
                                    reply -> ch.writeAndFlush(new DatagramPacket(reply, sender)));
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            LOG.log(System.Logger.Level.DEBUG, "DNS UDP error", cause);
                        }
                    })
                    .bind(bind), "UDP on " + bind);
        }

        private Channel bindTcp(EventLoopGroup g, QueryHandler handler, InetSocketAddress at) throws IOException {
            long idleNanos = tcpIdle.toNanos();
            return await(new ServerBootstrap()
                    .group(g)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(
                                    new LengthFieldBasedFrameDecoder(MAX_MESSAGE, 0, 2, 0, 2),
                                    new TcpQueries(handler, idleNanos));
                        }
                    })
                    .bind(at), "TCP on " + at);
        }

        private static Channel await(ChannelFuture bound, String what) throws IOException {
            bound.awaitUninterruptibly();
            if (!bound.isSuccess()) {
                bound.channel().close();
                Throwable cause = bound.cause();
                throw new IOException("cannot listen for DNS over " + what + ": " + cause.getMessage(), cause);
            }
            return bound.channel();
        }
    }

    /** One TCP client: length-prefixed queries in, length-prefixed replies out, closed when idle. */
    private static final class TcpQueries extends SimpleChannelInboundHandler<ByteBuf> {
        private final QueryHandler handler;
        private final long idleNanos;
        private ScheduledFuture<?> idle;

        TcpQueries(QueryHandler handler, long idleNanos) {
            this.handler = handler;
            this.idleNanos = idleNanos;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            rearm(ctx);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            rearm(ctx);
            Channel ch = ctx.channel();
            handler.handle(frame, (InetSocketAddress) ch.remoteAddress(), false, ch.eventLoop(), reply -> {
                ByteBuf length = Unpooled.buffer(2).writeShort(reply.readableBytes());
                ch.writeAndFlush(Unpooled.wrappedBuffer(length, reply));
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (idle != null) {
                idle.cancel(false);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, "DNS TCP client error", cause);
            ctx.close();
        }

        private void rearm(ChannelHandlerContext ctx) {
            if (idle != null) {
                idle.cancel(false);
            }
            idle = ctx.executor().schedule(() -> ctx.close(), idleNanos, TimeUnit.NANOSECONDS);
        }
    }
}
