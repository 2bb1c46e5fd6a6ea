package io.shoal.engineapi;

import io.shoal.api.InspectImageRequest;
import io.shoal.dockermodel.DistributionJson;

/**
 * {@code GET /distribution/{name}/json}: what the image's registry holds for the reference (digest,
 * media type, size, platforms), asked by this node's registry client with the request's
 * {@code X-Registry-Auth}, else the node's own credentials for the registry. Docker's CLI asks it
 * before it creates or updates a service, to pin the image to that digest (so every node runs
 * the same image) and its placement to those platforms. As dockerd, any node answers it.
 */
final class DistributionRoutes {
    private final Backend backend;

    DistributionRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router r) {
        r.get("/distribution/{name*}/json", (req, ex) -> ex.json(200, DistributionJson.write(backend.images().inspect(
                InspectImageRequest.newBuilder().setReference(req.param("name"))
                        .setRegistryAuth(RegistryAuth.of(req.header("x-registry-auth"))).build()))));
    }
}
