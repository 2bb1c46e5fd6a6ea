package io.shoal.compose;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations, sizes and CPU counts as compose files write them (Go's and Docker's syntaxes). */
final class Units {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?)(b|ib)?", Pattern.CASE_INSENSITIVE);

    private static final BigDecimal MAX_LONG = BigDecimal.valueOf(Long.MAX_VALUE);

    private Units() {}

    /** Go's time.ParseDuration: "1m30s", "500ms", "2h", "0"; returns milliseconds. */
    static long durationMillis(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return 0;
        }
        boolean negative = s.startsWith("-");
        String rest = negative || s.startsWith("+") ? s.substring(1) : s;
        Matcher m = DURATION_PART.matcher(rest);
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < rest.length() && m.find(at) && m.start() == at) {
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            })));
            at = m.end();
        }
        if (rest.isEmpty() || at != rest.length()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\" (use Go's syntax: 10s, 1m30s, 500ms)");
        }
        if (negative) {
            throw new IllegalArgumentException("duration \"" + text + "\" must not be negative");
        }
        if (nanos.compareTo(MAX_LONG) > 0) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too large (at most 2562047h)");
        }
        return nanos.movePointLeft(6).longValue();
    }

    /** Docker's RAMInBytes: 512, "512b", "64k", "50M", "1.5g", "2GB" (binary multiples). */
    static long bytes(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid size \"" + text + "\" (e.g. 64M, 1G, or bytes)");
        }
        BigDecimal n = new BigDecimal(m.group(1));
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            case "p" -> 50;
            default -> 0;
        };
        BigDecimal bytes = n.multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.compareTo(MAX_LONG) > 0) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large (at most 9223372036854775807 bytes)");
        }
        return bytes.longValue();
    }

    /** CPUs as nano-CPUs: "0.5" -> 500000000. */
    static long nanoCpus(String text) {
        try {
            BigDecimal d = new BigDecimal(text.trim());
            if (d.signum() < 0) {
                throw new NumberFormatException();
            }
            BigDecimal nanos = d.multiply(BigDecimal.valueOf(1_000_000_000L));
            if (nanos.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException("cpus \"" + text + "\" is more precise than 9 decimals");
            }
            return nanos.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("invalid number of CPUs \"" + text + "\" (e.g. 0.5)");
        }
    }
}
