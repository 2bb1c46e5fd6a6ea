package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a route answers: one whole response, or a stream (logs, events) of chunks written as they
 * come until the route ends it or the client goes away.
 */
public interface Exchange {
    /** A JSON body with {@code status}. */
    void json(int status, JsonNode body);

    /** No body. */
    void empty(int status);

    /** A text body (e.g. {@code OK} for {@code /_ping}). */
    void text(int status, String contentType, String body);

    /** Extra headers for the response about to be written (e.g. {@code /_ping}'s {@code Swarm}). */
    void header(String name, String value);

    /** Starts a streamed 200 response of {@code contentType}; chunks follow. */
    Stream stream(String contentType);

    /** A streamed response. */
    interface Stream extends AutoCloseable {
        /** Writes and flushes one chunk; false once the client has gone. */
        boolean write(byte[] chunk);

        /** Whether the client is still there. */
        boolean open();

        /** Runs {@code r} once the client goes (or the stream ends). */
        void onClose(Runnable r);

        /** Ends the response. */
        @Override
        void close();
    }
}
