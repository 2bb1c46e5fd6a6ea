package io.shoal.cli.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The CLI's channel to a daemon's unix socket. Unary calls go over {@link Http2Connection}, a small
 * HTTP/2 client on the JDK's unix {@code SocketChannel}: no Netty and no grpc-core are loaded for them,
 * which took a quarter of a second off every client command (docs/operations.md, "A fast CLI").
 * Streaming calls ({@code events}, {@code service logs}) go to grpc-java's channel, made on first use.
 * The generated stubs work on it as on any channel, and fail with the same {@code StatusRuntimeException}s.
 */
public final class LightChannel extends Channel implements AutoCloseable {
    /** grpc-java's default limit on a received message. */
    static final int MAX_MESSAGE = 4 * 1024 * 1024;

    private final Path socket;
    private final Supplier<Channel> streaming;
    private Channel streamingChannel;
    private Http2Connection connection;

    /** {@code streaming} makes the channel for calls other than unary ones; it is called at most once. */
    public LightChannel(Path socket, Supplier<Channel> streaming) {
        this.socket = socket;
        this.streaming = streaming;
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        if (method.getType() == MethodDescriptor.MethodType.UNARY) {
            return new LightCall<>(this, method, options);
        }
        return streaming().newCall(method, options);
    }

    private synchronized Channel streaming() {
        if (streamingChannel == null) {
            streamingChannel = streaming.get();
        }
        return streamingChannel;
    }

    @Override
    public String authority() {
        return "localhost";
    }

    /** One unary call on the connection, opened (again) when there is none that can be used. */
    synchronized UnaryReply call(String path, byte[] request, long deadlineNanos, int maxMessage) {
        if (connection == null) {
            // the listing's request that Main sent first thing, when this is that very call
            EarlyCall early = EarlyCall.take(socket, path, request, deadlineNanos, maxMessage);
            if (early != null) {
                connection = early.connection();
                return early.reply();
            }
        }
        if (connection == null || !connection.usable()) {
            try {
                connection = Http2Connection.open(socket, maxMessage);
            } catch (IOException e) {
                return unreachable(e);
            }
        }
        return connection.call(path, request, deadlineNanos);
    }

    /** A call that could not connect, as grpc-java reports it. */
    static UnaryReply unreachable(IOException e) {
        return UnaryReply.failed(Status.UNAVAILABLE.withDescription("io exception").withCause(e));
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
