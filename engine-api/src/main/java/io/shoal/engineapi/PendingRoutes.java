package io.shoal.engineapi;

import io.shoal.dockermodel.Json;

/**
 * Endpoints whose Shoal side does not exist yet: each answers what is true (there are no secrets
 * to list) or refuses with a message saying what is missing, never a silent success.
 */
final class PendingRoutes {
    private final Backend backend;

    PendingRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        for (String kind : new String[] {"secrets", "configs"}) {
            r.get("/" + kind, (req, ex) -> {
                backend.requireManager();
                ex.json(200, Json.array());
            });
            Router.Handler refuse = (req, ex) -> {
                backend.requireManager();
                throw ApiError.notImplemented(kind + " are not supported by this Shoal cluster yet");
            };
            r.post("/" + kind + "/create", refuse);
            r.get("/" + kind + "/{id}", (req, ex) -> {
                backend.requireManager();
                throw ApiError.notFound(kind.substring(0, kind.length() - 1) + " " + req.param("id") + " not found");
            });
            r.delete("/" + kind + "/{id}", (req, ex) -> {
                backend.requireManager();
                throw ApiError.notFound(kind.substring(0, kind.length() - 1) + " " + req.param("id") + " not found");
            });
            r.post("/" + kind + "/{id}/update", refuse);
        }
        r.get("/events", (req, ex) -> {
            throw ApiError.notImplemented("events are not supported by this Shoal daemon yet");
        });
        r.get("/distribution/{name*}/json", (req, ex) -> {
            throw ApiError.notImplemented("resolving " + req.param("name") + " to a digest is not supported by Shoal yet; "
                    + "each node pulls the image by its tag");
        });
    }
}
