package io.shoal.net.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sends queries for names that are not ours to the upstream resolvers, in order, and hands back their
 * reply bytes untouched except for the message id.
 *
 * <p>Each attempt uses a fresh UDP socket connected to one upstream, with a random id, so that a reply
 * must come from that upstream's address to that random port with that id and question. An upstream
 * that does not answer within the timeout, or refuses the packet, is skipped for the next one; when
 * none is left the caller is told to answer SERVFAIL. A truncated UDP reply is asked again over TCP,
 * and passed on as it is if TCP fails.
 *
 * <p>Sockets are opened on the event loop's thread, so they live in that thread's network namespace.
 */
final class Forwarder implements AutoCloseable {
    /** What becomes of one forwarded query; exactly one method is called, once. */
    interface Reply {
        /** The upstream's reply, with the client's id restored; the callee owns the buffer. */
        void answer(ByteBuf response);

        /** No upstream answered. */
        void fail();
    }

    private static final int MAX_MESSAGE = 65535;

    private final List<InetSocketAddress> upstreams;
    private final long timeoutNanos;
    private final boolean tcpRetry;
    private final SecureRandom random = new SecureRandom();
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    Forwarder(List<InetSocketAddress> upstreams, Duration timeout, boolean tcpRetry) {
        this.upstreams = List.copyOf(upstreams);
        this.timeoutNanos = timeout.toNanos();
        this.tcpRetry = tcpRetry;
    }

    /** Forwards {@code rawQuery} (copied here; the caller keeps ownership) on {@code loop}. */
    void forward(ByteBuf rawQuery, EventLoop loop, Reply reply) {
        if (closed || upstreams.isEmpty()) {
            reply.fail();
            return;
        }
        ByteBuf query = Unpooled.copiedBuffer(rawQuery);
        loop.execute(() -> attempt(new Query(query, DnsWire.id(query), loop, reply), 0));
    }

    @Override
    public void close() {
        closed = true;
        for (Channel ch : open) {
            ch.close();
        }
    }

    /** One client query in flight; touched only on its event loop. */
    private record Query(ByteBuf bytes, int clientId, EventLoop loop, Reply reply) {
        void answer(ByteBuf upstreamReply) {
            ByteBuf out = Unpooled.copiedBuffer(upstreamReply);
            DnsWire.setId(out, clientId);
            bytes.release();
            reply.answer(out);
        }

        void fail() {
            bytes.release();
            reply.fail();
        }
    }

    private void attempt(Query q, int index) {
        if (closed || index >= upstreams.size()) {
            q.fail();
            return;
        }
        InetSocketAddress upstream = upstreams.get(index);
        int wireId = random.nextInt(1 << 16);
        UdpAttempt attempt = new UdpAttempt(q, index, wireId);
        attempt.timer = q.loop().schedule(attempt::giveUp, timeoutNanos, TimeUnit.NANOSECONDS);
        ChannelFuture connect = new Bootstrap()
                .group(q.loop())
                .channel(NioDatagramChannel.class)
                .handler(attempt)
                .connect(upstream);
        track(connect.channel());
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                attempt.giveUp();
                return;
            }
            ByteBuf out = Unpooled.copiedBuffer(q.bytes());
            DnsWire.setId(out, wireId);
            f.channel().writeAndFlush(out).addListener(w -> {
                if (!w.isSuccess()) {
                    attempt.giveUp();
                }
            });
        });
    }

    private void track(Channel ch) {
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
        if (closed) {
            ch.close();
        }
    }

    /** True if {@code reply} answers the query {@code q} sent with {@code wireId}. */
    private static boolean answers(ByteBuf reply, Query q, int wireId) {
        return reply.readableBytes() >= DnsWire.HEADER_LENGTH
                && DnsWire.isResponse(reply)
                && DnsWire.id(reply) == wireId
                && DnsWire.sameQuestion(DnsWire.firstQuestion(reply), DnsWire.firstQuestion(q.bytes()));
    }

    /** One try of one upstream over UDP. */
    private final class UdpAttempt extends ChannelInboundHandlerAdapter {
        private final Query q;
        private final int index;
        private final int wireId;
        private boolean done;
        private Channel channel;
        ScheduledFuture<?> timer;

        UdpAttempt(Query q, int index, int wireId) {
            this.q = q;
            this.index = index;
            this.wireId = wireId;
        }

        @Override
        public void channelRegistered(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            ctx.fireChannelRegistered();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (done || !(msg instanceof DatagramPacket packet) || !answers(packet.content(), q, wireId)) {
                    return; // stray or forged: keep waiting for the real reply until the timer fires
                }
                finish();
                ByteBuf reply = packet.content();
                if (tcpRetry && DnsWire.isTruncated(reply)) {
                    new TcpAttempt(q, index, Unpooled.copiedBuffer(reply)).start();
                } else {
                    q.answer(reply);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            giveUp(); // e.g. ICMP port unreachable on the connected socket: try the next upstream now
        }

        /** Move on to the next upstream, unless this attempt is already over. */
        void giveUp() {
            if (!done) {
                finish();
                attempt(q, index + 1);
            }
        }

        private void finish() {
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
        }
    }

    /** The same query over TCP after a truncated UDP reply, which is what the client gets if this fails. */
    private final class TcpAttempt extends ChannelInboundHandlerAdapter {
        private final Query q;
        private final int index;
        private final ByteBuf truncated;
        private final int wireId = random.nextInt(1 << 16);
        private boolean done;
        private Channel channel;
        private ScheduledFuture<?> timer;

        TcpAttempt(Query q, int index, ByteBuf truncated) {
            this.q = q;
            this.index = index;
            this.truncated = truncated;
        }

        void start() {
            timer = q.loop().schedule(this::fallBack, timeoutNanos, TimeUnit.NANOSECONDS);
            ChannelFuture connect = new Bootstrap()
                    .group(q.loop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                            (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)))
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            channel = ch;
                            ch.pipeline().addLast(
                                    new LengthFieldBasedFrameDecoder(MAX_MESSAGE, 0, 2, 0, 2), TcpAttempt.this);
                        }
                    })
                    .connect(upstreams.get(index));
            track(connect.channel());
            connect.addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    fallBack();
                    return;
                }
                ByteBuf query = Unpooled.copiedBuffer(q.bytes());
                DnsWire.setId(query, wireId);
                ByteBuf length = Unpooled.buffer(2).writeShort(query.readableBytes());
                f.channel().writeAndFlush(Unpooled.wrappedBuffer(length, query)).addListener(w -> {
                    if (!w.isSuccess()) {
                        fallBack();
                    }
                });
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!done && msg instanceof ByteBuf frame && answers(frame, q, wireId)) {
                    finish();
                    truncated.release();
                    q.answer(frame);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fallBack();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fallBack();
        }

        private void fallBack() {
            if (!done) {
                finish();
                try {
                    q.answer(truncated);
                } finally {
                    truncated.release();
                }
            }
        }

        private void finish() {
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
        }
    }
}
