package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.Platform;
import io.shoal.api.RemoteImage;

/**
 * What a registry holds for an image reference, as dockerd answers {@code GET
 * /distribution/{name}/json}: the OCI descriptor of the manifest or index (with the OCI
 * descriptor's own lower-case keys, as dockerd writes it; the API reference's example capitalizes
 * them, and Go's clients read both) and the platforms it serves.
 */
public final class DistributionJson {
    private DistributionJson() {}

    public static ObjectNode write(RemoteImage image) {
        ObjectNode o = Json.object();
        o.putObject("Descriptor").put("mediaType", image.getMediaType()).put("digest", image.getDigest())
                .put("size", image.getSizeBytes());
        ArrayNode platforms = o.putArray("Platforms");
        for (Platform p : image.getPlatformsList()) {
            platforms.addObject().put("architecture", p.getArchitecture()).put("os", p.getOs());
        }
        return o;
    }
}
