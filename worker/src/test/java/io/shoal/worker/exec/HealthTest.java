package io.shoal.worker.exec;

import io.shoal.api.HealthConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HealthTest {
    private static final Health.Probe PASS = new Health.Probe(0, "");
    private static final Health.Probe FAIL = new Health.Probe(1, "connection refused");

    private static HealthConfig check(long interval, int retries, long startPeriod) {
        return HealthConfig.newBuilder().addAllTest(List.of("CMD-SHELL", "wget -q localhost"))
                .setIntervalMs(interval).setRetries(retries).setStartPeriodMs(startPeriod).build();
    }

    @Test
    void commandsFollowDockersForms() {
        assertEquals(Optional.of(List.of("/bin/sh", "-c", "wget -q localhost")), Health.command(check(1, 1, 0)));
        assertEquals(Optional.of(List.of("cat", "/ok")), Health.command(HealthConfig.newBuilder().addAllTest(List.of("CMD", "cat", "/ok")).build()));
        assertEquals(Optional.empty(), Health.command(HealthConfig.newBuilder().addTest("NONE").build()));
        assertEquals(Optional.empty(), Health.command(HealthConfig.getDefaultInstance()));
        assertTrue(Health.of(HealthConfig.newBuilder().addTest("NONE").build(), 0).isEmpty());
    }

    @Test
    void probesRunEveryIntervalFromTheStart() {
        Health h = Health.of(check(1000, 3, 0), 10_000).orElseThrow();
        assertFalse(h.due(10_500));
        assertTrue(h.due(11_000));
        h.record(FAIL, 11_000);
        assertFalse(h.due(11_999));
        assertTrue(h.due(12_000));
    }

    @Test
    void onePassIsHealthyAndRetriesFailuresInARowAreUnhealthy() {
        Health h = Health.of(check(1000, 3, 0), 0).orElseThrow();
        assertEquals(Health.Status.STARTING, h.status());
        assertEquals(Health.Status.STARTING, h.record(FAIL, 1000));
        assertEquals(Health.Status.HEALTHY, h.record(PASS, 2000));
        assertEquals(Health.Status.HEALTHY, h.record(FAIL, 3000));
        assertEquals(Health.Status.HEALTHY, h.record(FAIL, 4000));
        assertEquals(Health.Status.HEALTHY, h.record(PASS, 5000), "a pass resets the count");
        h.record(FAIL, 6000);
        h.record(FAIL, 7000);
        assertEquals(Health.Status.UNHEALTHY, h.record(FAIL, 8000));
        assertFalse(h.due(100_000), "an unhealthy container is not probed again");
        assertTrue(h.describe().contains("3 health checks failed in a row"), h.describe());
        assertTrue(h.describe().contains("connection refused"), h.describe());
    }

    @Test
    void failuresDuringTheStartPeriodDoNotCount() {
        Health h = Health.of(check(1000, 2, 5000), 0).orElseThrow();
        for (long t = 1000; t < 5000; t += 1000) {
            assertEquals(Health.Status.STARTING, h.record(FAIL, t));
        }
        assertEquals(Health.Status.STARTING, h.record(FAIL, 5000));
        assertEquals(Health.Status.UNHEALTHY, h.record(FAIL, 6000));
    }

    @Test
    void defaultsAreDockers() {
        Health h = Health.of(HealthConfig.newBuilder().addAllTest(List.of("CMD", "true")).build(), 0).orElseThrow();
        assertEquals(Health.DEFAULT_TIMEOUT, h.timeout());
        assertFalse(h.due(29_999));
        assertTrue(h.due(30_000));
    }
}
