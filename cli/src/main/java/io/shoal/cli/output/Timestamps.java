package io.shoal.cli.output;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * Times as docker's {@code --since} and {@code --until} take them: RFC 3339 (with or without a
 * zone and fraction; without a zone it is local time), a date ({@code 2026-12-03}), a Unix
 * timestamp ({@code 1796323563} or {@code 1796323563.454}), or a Go duration meaning that long
 * before now ({@code 10m}, {@code 1h30m}; a negative one is in the future).
 */
public final class Timestamps {
    private static final Pattern UNIX = Pattern.compile("\\d+(\\.\\d{1,9})?");

    private Timestamps() {}

    /** Nanoseconds since the epoch; IllegalArgumentException naming the value otherwise. */
    public static long parse(String value, Instant now, ZoneId zone) {
        String v = value.trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("a time is empty");
        }
        if (UNIX.matcher(v).matches()) {
            return new BigDecimal(v).movePointRight(9).longValueExact();
        }
        try {
            boolean negative = v.startsWith("-");
            long d = Units.duration(negative ? v.substring(1) : v).toNanos();
            return nanos(now) + (negative ? d : -d);
        } catch (IllegalArgumentException notADuration) {
            // one of the absolute forms, below
        }
        try {
            return nanos(OffsetDateTime.parse(v).toInstant());
        } catch (DateTimeParseException e) {
            // no zone
        }
        try {
            return nanos(LocalDateTime.parse(v).atZone(zone).toInstant());
        } catch (DateTimeParseException e) {
            // a date alone
        }
        try {
            return nanos(LocalDate.parse(v).atStartOfDay(zone).toInstant());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a time: use RFC 3339 (2026-12-03T18:46:03Z), a date, "
                    + "a Unix timestamp, or a duration before now (10m)");
        }
    }

    static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
