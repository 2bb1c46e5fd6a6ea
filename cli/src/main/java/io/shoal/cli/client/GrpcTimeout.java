package io.shoal.cli.client;

/** The grpc-timeout header: at most 8 digits and a unit (n, u, m, S, M, H), rounded down as grpc-java does. */
final class GrpcTimeout {
    private static final long MAX = 100_000_000L;

    private GrpcTimeout() {}

    static String encode(long nanos) {
        if (nanos < MAX) {
            return nanos + "n";
        }
        long v = nanos / 1_000;
        if (v < MAX) {
            return v + "u";
        }
        v = nanos / 1_000_000;
        if (v < MAX) {
            return v + "m";
        }
        v = nanos / 1_000_000_000;
        if (v < MAX) {
            return v + "S";
        }
        v /= 60;
        if (v < MAX) {
            return v + "M";
        }
        return Math.min(v / 60, MAX - 1) + "H";
    }
}
