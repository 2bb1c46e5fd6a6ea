package io.shoal.cli.client;

/** A header block that HPACK (RFC 7541) cannot decode: a connection error (COMPRESSION_ERROR). */
final class HpackException extends Exception {
    HpackException(String message) {
        super(message);
    }
}
