package io.shoal.cli.output;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** --since and --until in the forms docker takes them. */
class TimestampsTest {
    private static final Instant NOW = Instant.parse("2026-12-03T18:46:03.454Z");
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static long nanos(String iso) {
        Instant t = Instant.parse(iso);
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void rfc3339WithOrWithoutZoneDatesUnixTimestampsAndDurations() {
        assertEquals(nanos("2026-12-03T18:46:03Z"), Timestamps.parse("2026-12-03T18:46:03Z", NOW, PARIS));
        assertEquals(nanos("2026-12-03T18:46:03.123456789Z"), Timestamps.parse("2026-12-03T19:46:03.123456789+01:00", NOW, PARIS));
        assertEquals(nanos("2026-12-03T17:46:03Z"), Timestamps.parse("2026-12-03T18:46:03", NOW, PARIS), "no zone: local time");
        assertEquals(nanos("2026-12-02T23:00:00Z"), Timestamps.parse("2026-12-03", NOW, PARIS));
        assertEquals(nanos("2026-12-03T18:46:03.5Z"), Timestamps.parse("1796323563.5", NOW, ZoneOffset.UTC));
        assertEquals(nanos("2026-12-03T18:36:03.454Z"), Timestamps.parse("10m", NOW, PARIS), "a duration: that long ago");
        assertEquals(nanos("2026-12-03T18:47:33.454Z"), Timestamps.parse("-1m30s", NOW, PARIS), "negative: in the future");
    }

    @Test
    void anythingElseIsOneLineNamingTheForms() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Timestamps.parse("yesterday", NOW, PARIS));
        assertEquals("'yesterday' is not a time: use RFC 3339 (2026-12-03T18:46:03Z), a date, a Unix timestamp, or a duration before now (10m)",
                e.getMessage());
    }
}
