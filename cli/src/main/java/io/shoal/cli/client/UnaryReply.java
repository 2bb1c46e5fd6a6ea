package io.shoal.cli.client;

import io.grpc.Status;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * How a unary call ended: its status (with grpc-message percent-decoded), the response message when
 * the status is OK, and the trailers as sent.
 */
record UnaryReply(Status status, byte[] message, List<Hpack.Field> trailers) {
    static UnaryReply failed(Status status) {
        return new UnaryReply(status, null, List.of());
    }

    /** The reply that {@code trailers} and the gRPC-framed {@code body} (null for a trailers-only response) make. */
    static UnaryReply of(List<Hpack.Field> trailers, byte[] body) {
        String code = null;
        String message = null;
        for (Hpack.Field f : trailers) {
            switch (f.name()) {
                case "grpc-status" -> code = f.value();
                case "grpc-message" -> message = percentDecode(f.value());
                default -> {
                }
            }
        }
        if (code == null) {
            return failed(Status.UNKNOWN.withDescription("missing GRPC status in response"));
        }
        Status status;
        try {
            status = Status.fromCodeValue(Integer.parseInt(code));
        } catch (NumberFormatException e) {
            status = Status.UNKNOWN.withDescription("invalid grpc-status: " + code);
        }
        if (message != null) {
            status = status.withDescription(message);
        }
        if (!status.isOk()) {
            return new UnaryReply(status, null, trailers);
        }
        if (body == null || body.length == 0) {
            return new UnaryReply(status, null, trailers);
        }
        if (body.length < 5) {
            return failed(Status.INTERNAL.withDescription("Encountered end-of-stream mid-frame"));
        }
        if (body[0] != 0) {
            return failed(Status.INTERNAL.withDescription("Can't decode compressed gRPC message as compression not configured"));
        }
        long n = ((body[1] & 0xffL) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
        if (n != body.length - 5) {
            return failed(Status.INTERNAL.withDescription(n > body.length - 5 ? "Encountered end-of-stream mid-frame"
                    : "more than one response message in a unary call"));
        }
        return new UnaryReply(status, Arrays.copyOfRange(body, 5, body.length), trailers);
    }

    /** The status that a response's {@code :status} other than 200 stands for (as grpc-java maps it), or null for 200. */
    static Status httpStatus(List<Hpack.Field> headers) {
        for (Hpack.Field f : headers) {
            if (f.name().equals(":status")) {
                if (f.value().equals("200")) {
                    return null;
                }
                Status s = switch (f.value()) {
                    case "400", "431" -> Status.INTERNAL;
                    case "401" -> Status.UNAUTHENTICATED;
                    case "403" -> Status.PERMISSION_DENIED;
                    case "404" -> Status.UNIMPLEMENTED;
                    case "429", "502", "503", "504" -> Status.UNAVAILABLE;
                    default -> Status.UNKNOWN;
                };
                return s.withDescription("HTTP status code " + f.value());
            }
        }
        return Status.INTERNAL.withDescription("missing HTTP status code");
    }

    /** grpc-message: UTF-8 bytes with {@code %XX} escapes (a {@code %} not followed by two hex digits stays as is). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] in = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) << 4 | hex(in[i + 2]));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
