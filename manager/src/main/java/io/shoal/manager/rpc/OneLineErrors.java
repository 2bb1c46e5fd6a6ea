package io.shoal.manager.rpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Keeps the description of every status a call ends with to one line of bounded length.
 *
 * <p>Errors often quote the caller's input ("no such service: NAME"). A name of 100,000 characters
 * or one with newlines made an error a client could not print on one line, and past HTTP/2's
 * header limit the client got {@code INTERNAL: http2 exception} instead of the error (found by
 * the Control API fuzz test). One interceptor on every server, rather than care in each handler:
 * control characters become spaces and a description longer than {@link #MAX_CHARS} is cut with
 * an ellipsis. The status code and its cause are kept.
 */
public final class OneLineErrors implements ServerInterceptor {
    /** Longest description sent, in chars: a terminal line or two, far below HTTP/2's header limit. */
    public static final int MAX_CHARS = 512;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                String d = status.getDescription();
                String line = oneLine(d);
                super.close(line == null || line.equals(d) ? status : status.withDescription(line), trailers);
            }
        }, headers);
    }

    /** {@code description} on one line of at most {@link #MAX_CHARS} chars; null stays null. */
    public static String oneLine(String description) {
        if (description == null) {
            return null;
        }
        String s = description.replaceAll("\\p{Cntrl}+", " ").strip();
        if (s.length() <= MAX_CHARS) {
            return s;
        }
        int end = MAX_CHARS - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        return s.substring(0, end) + "…";
    }
}
