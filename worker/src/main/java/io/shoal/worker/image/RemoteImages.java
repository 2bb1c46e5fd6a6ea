package io.shoal.worker.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.api.Platform;
import io.shoal.api.RemoteImage;
import io.shoal.distribution.Credentials;
import io.shoal.distribution.ImageRef;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a registry holds for a reference, without pulling it: the descriptor of the manifest or
 * index the reference names, and the platforms it serves (an index's entries, or a single image's
 * own from its config). Docker's CLI pins a service's image to that digest and its placement to
 * those platforms. An index's attestation entries (buildx writes them as {@code unknown/unknown})
 * are not platforms and are left out.
 */
final class RemoteImages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RemoteImages() {}

    static RemoteImage describe(RegistryClient registry, ImageRef ref, Credentials creds) throws IOException {
        RegistryClient.Manifest m = registry.top(ref, creds);
        Set<Platform> platforms = new LinkedHashSet<>();
        if (m.json().has("manifests")) {
            for (JsonNode d : m.json().path("manifests")) {
                JsonNode p = d.path("platform");
                String os = p.path("os").asText("");
                if (!os.isEmpty() && !os.equals("unknown")) {
                    platforms.add(Platform.newBuilder().setOs(os).setArchitecture(p.path("architecture").asText("")).build());
                }
            }
        } else if (m.json().has("config")) {
            byte[] bytes = registry.smallBlob(ref, creds, m.json().path("config").path("digest").asText());
            JsonNode config;
            try {
                config = JSON.readTree(bytes);
            } catch (IOException e) {
                throw new IOException("registry answered an image config that is not JSON for " + ref);
            }
            String os = config.path("os").asText("");
            if (!os.isEmpty()) {
                platforms.add(Platform.newBuilder().setOs(os).setArchitecture(config.path("architecture").asText("")).build());
            }
        } else {
            throw new IOException("registry answered something that is neither an image manifest nor an index for " + ref);
        }
        return RemoteImage.newBuilder().setMediaType(m.mediaType()).setDigest(m.digest()).setSizeBytes(m.size())
                .addAllPlatforms(platforms).build();
    }
}
