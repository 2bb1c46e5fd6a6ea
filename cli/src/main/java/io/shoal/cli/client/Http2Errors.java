package io.shoal.cli.client;

import io.grpc.Status;

/** What an HTTP/2 error code in RST_STREAM or GOAWAY means as a gRPC status, as grpc-java maps it. */
final class Http2Errors {
    private static final String[] NAMES = {"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR",
        "SETTINGS_TIMEOUT", "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
        "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};

    private Http2Errors() {}

    static Status rstStream(int code) {
        return status(code).withDescription("Received Rst Stream: " + name(code));
    }

    static Status goAway(int code, String debug) {
        Status s = code == 0 ? Status.UNAVAILABLE : status(code);
        return s.withDescription("Abrupt GOAWAY closed unsent stream. HTTP/2 error code: " + name(code)
                + (debug.isEmpty() ? "" : ", debug data: " + debug));
    }

    private static Status status(int code) {
        return switch (code) {
            case 7 -> Status.UNAVAILABLE;
            case 8 -> Status.CANCELLED;
            case 11 -> Status.RESOURCE_EXHAUSTED;
            case 12 -> Status.PERMISSION_DENIED;
            default -> Status.INTERNAL;
        };
    }

    private static String name(int code) {
        return code >= 0 && code < NAMES.length ? NAMES[code] : "0x" + Integer.toHexString(code);
    }
}
