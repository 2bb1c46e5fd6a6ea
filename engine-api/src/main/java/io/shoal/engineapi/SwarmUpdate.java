package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.dockermodel.InvalidSpec;

import java.time.Duration;

/**
 * What a {@code POST /swarm/update} asks of Shoal's cluster settings: the posted spec must be the
 * one {@code GET /swarm} showed, except for what Shoal can change. Today that is
 * {@code CAConfig.NodeCertExpiry} (docker's {@code swarm update --cert-expiry}, in nanoseconds) and
 * {@code EncryptionConfig.AutoLockManagers} ({@code swarm update --autolock}), which become the
 * {@code UpdateCluster} that {@code shoal cluster update --cert-expiry|--autolock} sends.
 * Any other changed setting is refused by its path. Pure: the route reads the cluster, asks this,
 * and applies the answer only when every check passed.
 */
record SwarmUpdate(UpdateClusterRequest cluster) {
    /** Shoal's floor for node certificates (docker's is an hour; a minute lets tests see renewals). */
    static final Duration MIN_CERT_EXPIRY = Duration.ofMinutes(1);
    /** swarmkit's words for a shorter expiry, with the floor in Go's duration form. */
    static final String TOO_SHORT = "minimum certificate expiry time is: 1m0s";

    /** Nothing to change in the cluster's settings. */
    boolean isEmpty() {
        return cluster == null;
    }

    /** Checks {@code posted} against {@code shown} (both docker's {@code Spec}); throws naming what is refused. */
    static SwarmUpdate of(JsonNode shown, JsonNode posted) {
        JsonNode expiry = posted == null ? null : posted.path("CAConfig").get("NodeCertExpiry");
        JsonNode autolock = posted == null ? null : posted.path("EncryptionConfig").get("AutoLockManagers");
        JsonNode rest = posted;
        if (expiry != null || autolock != null) {
            rest = posted.deepCopy();
            if (expiry != null) {
                ((ObjectNode) rest.get("CAConfig")).remove("NodeCertExpiry");
            }
            if (autolock != null) {
                ((ObjectNode) rest.get("EncryptionConfig")).remove("AutoLockManagers");
            }
        }
        String changed = SwarmRoutes.firstDifference("", shown, rest);
        if (changed != null) {
            throw new InvalidSpec(changed + ": changing it is not supported by Shoal");
        }
        UpdateClusterRequest.Builder b = UpdateClusterRequest.newBuilder();
        if (autolock != null && !autolock.isNull()) {
            if (!autolock.isBoolean()) {
                throw new InvalidSpec("EncryptionConfig.AutoLockManagers: '" + autolock + "' is not true or false");
            }
            if (autolock.asBoolean() != shown.path("EncryptionConfig").path("AutoLockManagers").asBoolean(false)) {
                b.setSetAutolock(true).setAutolock(autolock.asBoolean());
            }
        }
        if (expiry == null || expiry.isNull()) {
            return b.getSetAutolock() ? new SwarmUpdate(b.build()) : new SwarmUpdate(null);
        }
        if (!expiry.canConvertToExactIntegral() || !expiry.canConvertToLong()) {
            throw new InvalidSpec("CAConfig.NodeCertExpiry: '" + expiry + "' is not a duration in nanoseconds");
        }
        if (expiry.asLong() == shown.path("CAConfig").path("NodeCertExpiry").asLong(-1)) {
            return b.getSetAutolock() ? new SwarmUpdate(b.build()) : new SwarmUpdate(null);
        }
        Duration d = Duration.ofNanos(expiry.asLong());
        if (d.compareTo(MIN_CERT_EXPIRY) < 0) {
            throw ApiError.badRequest(TOO_SHORT);
        }
        return new SwarmUpdate(b.setSetCertExpiry(true).setCertExpiryMs(d.toMillis()).build());
    }
}
