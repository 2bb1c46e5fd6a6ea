package io.shoal.cli.output;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations ({@code 500ms}, {@code 1m30s}) and sizes ({@code 64M}, {@code 1.5G}, bytes). */
public final class Units {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(?i)(\\d+(?:\\.\\d+)?)\\s*([bkmgt]?)i?b?");

    private static final BigDecimal MAX_LONG = BigDecimal.valueOf(Long.MAX_VALUE);

    private Units() {}

    public static Duration duration(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(s);
        int pos = 0;
        BigDecimal nanos = BigDecimal.ZERO;
        while (m.find() && m.start() == pos) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            })));
            pos = m.end();
        }
        if (pos != s.length() || pos == 0) {
            throw new IllegalArgumentException("invalid duration '" + s + "': use a number with a unit, e.g. 500ms, 10s, 1m30s");
        }
        if (nanos.compareTo(MAX_LONG) > 0) {
            throw new IllegalArgumentException("invalid duration '" + s + "': too large (at most 2562047h)");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    public static long bytes(String s) {
        Matcher m = SIZE.matcher(s == null ? "" : s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size '" + s + "': use bytes or a unit, e.g. 512k, 64M, 1G");
        }
        BigDecimal v = new BigDecimal(m.group(1));
        long mult = switch (m.group(2).toLowerCase()) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            case "t" -> 1L << 40;
            default -> 1;
        };
        BigDecimal bytes = v.multiply(BigDecimal.valueOf(mult));
        if (bytes.compareTo(MAX_LONG) > 0) {
            throw new IllegalArgumentException("invalid size '" + s + "': too large (at most 9223372036854775807 bytes)");
        }
        return bytes.longValue();
    }

    /** "3 seconds ago", "2 minutes ago", ... */
    public static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s <= 1 ? "1 second ago" : s + " seconds ago";
        }
        long m = s / 60;
        if (m < 60) {
            return m == 1 ? "About a minute ago" : m + " minutes ago";
        }
        long h = m / 60;
        if (h < 48) {
            return h == 1 ? "About an hour ago" : h + " hours ago";
        }
        return (h / 24) + " days ago";
    }
}
