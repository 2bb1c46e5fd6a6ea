package io.shoal.cli.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A unary call on a {@link LightChannel}: the request is kept until {@link #halfClose}, which makes
 * the whole exchange on the caller's thread and then tells the listener (headers, the message, the
 * status). grpc-java's blocking and future stubs call exactly start, request, sendMessage, halfClose.
 */
final class LightCall<Q, R> extends ClientCall<Q, R> {
    private final LightChannel channel;
    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private Listener<R> listener;
    private Q request;
    private boolean cancelled;

    LightCall(LightChannel channel, MethodDescriptor<Q, R> method, CallOptions options) {
        this.channel = channel;
        this.method = method;
        this.options = options;
    }

    @Override
    public void start(Listener<R> responseListener, Metadata headers) {
        listener = responseListener;
    }

    @Override
    public void request(int numMessages) {
        // the one response is delivered when the call ends
    }

    @Override
    public void cancel(String message, Throwable cause) {
        cancelled = true;
    }

    @Override
    public void sendMessage(Q message) {
        request = message;
    }

    @Override
    public void halfClose() {
        if (cancelled) {
            return;
        }
        byte[] body;
        try (InputStream in = method.streamRequest(request)) {
            body = in.readAllBytes();
        } catch (IOException e) {
            listener.onClose(Status.INTERNAL.withDescription("cannot serialize the request").withCause(e), new Metadata());
            return;
        }
        Deadline d = options.getDeadline();
        long deadline = d == null ? Long.MAX_VALUE : System.nanoTime() + d.timeRemaining(TimeUnit.NANOSECONDS);
        Integer max = options.getMaxInboundMessageSize();
        UnaryReply reply = channel.call("/" + method.getFullMethodName(), body, deadline, max == null ? LightChannel.MAX_MESSAGE : max);
        Status status = reply.status();
        listener.onHeaders(new Metadata());
        if (status.isOk() && reply.message() != null) {
            R response;
            try {
                response = method.parseResponse(new ByteArrayInputStream(reply.message()));
            } catch (RuntimeException e) {
                listener.onClose(Status.INTERNAL.withDescription("Failed to read message.").withCause(e), trailers(reply));
                return;
            }
            listener.onMessage(response);
        }
        listener.onClose(status, trailers(reply));
    }

    private static Metadata trailers(UnaryReply reply) {
        Metadata m = new Metadata();
        for (Hpack.Field f : reply.trailers()) {
            String n = f.name();
            if (n.startsWith(":")) {
                continue;
            }
            try {
                if (n.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                    m.put(Metadata.Key.of(n, Metadata.BINARY_BYTE_MARSHALLER), Base64.getDecoder().decode(f.value()));
                } else {
                    m.put(Metadata.Key.of(n, Metadata.ASCII_STRING_MARSHALLER), f.value());
                }
            } catch (IllegalArgumentException e) {
                // a key grpc-java would not accept either: left out
            }
        }
        return m;
    }
}
