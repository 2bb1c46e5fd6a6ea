package io.shoal.engineapi;

/**
 * Endpoints whose Shoal side does not exist yet: each refuses with a message saying what is
 * missing, never a silent success.
 */
final class PendingRoutes {
    void register(Router r) {
        r.get("/events", (req, ex) -> {
            throw ApiError.notImplemented("events are not supported by this Shoal daemon yet");
        });
    }
}
