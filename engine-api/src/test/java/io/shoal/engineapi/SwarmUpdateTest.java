package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.ClusterInfo;
import io.shoal.api.ClusterSpec;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.dockermodel.InvalidSpec;
import io.shoal.dockermodel.SwarmJson;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docker's {@code swarm update} spec, read-modify-written as its CLI does, mapped onto Shoal's cluster update. */
class SwarmUpdateTest {
    /** The spec {@code GET /swarm} shows for a cluster whose certificates last 90 days. */
    static JsonNode shown() {
        ClusterInfo c = ClusterInfo.newBuilder().setClusterId("c1")
                .setSpec(ClusterSpec.newBuilder().setNodeCertExpiryMs(Duration.ofDays(90).toMillis())).build();
        return SwarmJson.write(c, null).get("Spec");
    }

    static ObjectNode withExpiry(JsonNode spec, Object nanos) {
        ObjectNode posted = spec.deepCopy();
        ObjectNode ca = (ObjectNode) posted.get("CAConfig");
        switch (nanos) {
            case Long l -> ca.put("NodeCertExpiry", l);
            case String s -> ca.put("NodeCertExpiry", s);
            default -> throw new IllegalArgumentException(String.valueOf(nanos));
        }
        return posted;
    }

    @Test
    void theSpecPostedBackUnchangedUpdatesNothing() {
        assertTrue(SwarmUpdate.of(shown(), shown()).isEmpty());
        assertTrue(SwarmUpdate.of(shown(), null).isEmpty());
    }

    @Test
    void aNewCertExpiryInNanosecondsIsShoalsClusterUpdateInMilliseconds() {
        SwarmUpdate u = SwarmUpdate.of(shown(), withExpiry(shown(), Duration.ofHours(2).toNanos()));
        assertEquals(UpdateClusterRequest.newBuilder().setSetCertExpiry(true).setCertExpiryMs(7_200_000).build(), u.cluster());
        SwarmUpdate floor = SwarmUpdate.of(shown(), withExpiry(shown(), Duration.ofMinutes(1).toNanos()));
        assertEquals(60_000, floor.cluster().getCertExpiryMs(), "one minute is the floor, and allowed");
    }

    @Test
    void lessThanAMinuteIsRefusedInSwarmkitsWords() {
        ApiError e = assertThrows(ApiError.class, () -> SwarmUpdate.of(shown(), withExpiry(shown(), Duration.ofSeconds(59).toNanos())));
        assertEquals(400, e.status());
        assertEquals("minimum certificate expiry time is: 1m0s", e.getMessage());
        assertThrows(ApiError.class, () -> SwarmUpdate.of(shown(), withExpiry(shown(), 0L)));
        assertThrows(ApiError.class, () -> SwarmUpdate.of(shown(), withExpiry(shown(), -1L)));
    }

    @Test
    void anythingElseChangedOrNotADurationIsRefusedByItsPath() {
        ObjectNode both = withExpiry(shown(), Duration.ofHours(2).toNanos());
        ((ObjectNode) both.get("Dispatcher")).put("HeartbeatPeriod", 1_000_000_000L);
        InvalidSpec e = assertThrows(InvalidSpec.class, () -> SwarmUpdate.of(shown(), both));
        assertEquals("Dispatcher.HeartbeatPeriod: changing it is not supported by Shoal", e.getMessage());
        InvalidSpec text = assertThrows(InvalidSpec.class, () -> SwarmUpdate.of(shown(), withExpiry(shown(), "2h")));
        assertEquals("CAConfig.NodeCertExpiry: '\"2h\"' is not a duration in nanoseconds", text.getMessage());
    }

    @Test
    void autoLockManagersTurnsAutolockOnOrOffAndAnythingButABooleanIsRefused() {
        ObjectNode on = shown().deepCopy();
        ((ObjectNode) on.get("EncryptionConfig")).put("AutoLockManagers", true);
        UpdateClusterRequest u = SwarmUpdate.of(shown(), on).cluster();
        assertTrue(u.getSetAutolock() && u.getAutolock() && !u.getSetCertExpiry(), u.toString());
        ObjectNode off = shown().deepCopy();
        ((ObjectNode) off.get("EncryptionConfig")).put("AutoLockManagers", false);
        assertTrue(SwarmUpdate.of(shown(), off).isEmpty(), "autolock off posted back unchanged");
        ObjectNode both = withExpiry(on, Duration.ofHours(2).toNanos());
        UpdateClusterRequest b = SwarmUpdate.of(shown(), both).cluster();
        assertTrue(b.getSetAutolock() && b.getSetCertExpiry(), b.toString());
        ObjectNode text = shown().deepCopy();
        ((ObjectNode) text.get("EncryptionConfig")).put("AutoLockManagers", "yes");
        InvalidSpec e = assertThrows(InvalidSpec.class, () -> SwarmUpdate.of(shown(), text));
        assertEquals("EncryptionConfig.AutoLockManagers: '\"yes\"' is not true or false", e.getMessage());
    }
}
