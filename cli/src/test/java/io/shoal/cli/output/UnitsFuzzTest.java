package io.shoal.cli.output;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the CLI's duration and size parsers with seeded mutations of valid values: only
 * IllegalArgumentException with a message escapes, and an accepted value is the exact value the
 * text says (never a silently saturated or wrapped one). {@code -Dshoal.fuzz.runs} and
 * {@code -Dshoal.fuzz.seed} size and replay the run.
 */
class UnitsFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40) * 100;
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    static String mutate(Random r, String seed, String alphabet) {
        StringBuilder s = new StringBuilder(seed);
        for (int n = 1 + r.nextInt(4); n > 0; n--) {
            int at = s.isEmpty() ? 0 : r.nextInt(s.length() + 1);
            switch (r.nextInt(5)) {
                case 0 -> s.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                case 1 -> s.insert(at, "9".repeat(1 + r.nextInt(25)));
                case 2 -> {
                    if (at < s.length()) {
                        s.deleteCharAt(at);
                    }
                }
                case 3 -> s.insert(at, s.substring(0, at));
                default -> s.insert(at, (char) r.nextInt(0x3000));
            }
        }
        return s.toString();
    }

    @Test
    void durations() {
        Random r = new Random(SEED);
        List<String> seeds = List.of("0", "1s", "500ms", "1m30s", "2h", "1.5s", "10us", "3ns", "1h2m3s4ms");
        int accepted = 0;
        List<String> findings = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            String in = mutate(r, seeds.get(r.nextInt(seeds.size())), "0123456789.nsuµmh -+e");
            try {
                Duration d = Units.duration(in);
                accepted++;
                BigInteger exact = exactNanos(in);
                if (exact == null || exact.compareTo(MAX) > 0 || d.isNegative()
                        || new BigDecimal(exact).subtract(BigDecimal.valueOf(d.toNanos())).abs()
                                .compareTo(new BigDecimal(exact).movePointLeft(12).max(BigDecimal.ONE)) > 0) {
                    findings.add(in + " -> " + d.toNanos() + "ns, exactly " + exact);
                }
            } catch (IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    findings.add(in + " -> no message");
                }
            } catch (RuntimeException e) {
                findings.add(in + " -> " + e);
            }
        }
        System.out.printf("fuzz durations: %d executions, %d accepted, %d findings%n", RUNS, accepted, findings.size());
        assertTrue(findings.isEmpty(), findings.size() + " findings: " + findings.subList(0, Math.min(5, findings.size())));
    }

    /** The exact nanoseconds a valid duration says, or null when it is not one. */
    static BigInteger exactNanos(String s) {
        if (s.equals("0")) {
            return BigInteger.ZERO;
        }
        Matcher m = PART.matcher(s);
        BigDecimal total = BigDecimal.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            BigDecimal unit = switch (m.group(2)) {
                case "ns" -> BigDecimal.ONE;
                case "us", "µs" -> BigDecimal.valueOf(1_000);
                case "ms" -> BigDecimal.valueOf(1_000_000);
                case "s" -> BigDecimal.valueOf(1_000_000_000);
                case "m" -> BigDecimal.valueOf(60_000_000_000L);
                default -> BigDecimal.valueOf(3_600_000_000_000L);
            };
            total = total.add(new BigDecimal(m.group(1)).multiply(unit));
            at = m.end();
        }
        return at == s.length() && at > 0 ? total.toBigInteger() : null;
    }

    @Test
    void sizes() {
        Random r = new Random(SEED + 1);
        List<String> seeds = List.of("0", "512", "64M", "1.5G", "2k", "1T", "10mb", "3GiB", "7b");
        Pattern size = Pattern.compile("(?i)(\\d+(?:\\.\\d+)?)\\s*([bkmgt]?)i?b?");
        int accepted = 0;
        List<String> findings = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            String in = mutate(r, seeds.get(r.nextInt(seeds.size())), "0123456789.kmgtbiKMGTB -");
            try {
                long v = Units.bytes(in);
                accepted++;
                Matcher m = size.matcher(in.trim());
                BigInteger exact = m.matches() ? new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(switch (m.group(2).toLowerCase()) {
                    case "k" -> 1L << 10;
                    case "m" -> 1L << 20;
                    case "g" -> 1L << 30;
                    case "t" -> 1L << 40;
                    default -> 1;
                })).toBigInteger() : null;
                if (exact == null || !exact.equals(BigInteger.valueOf(v))) {
                    findings.add(in + " -> " + v + ", exactly " + exact);
                }
            } catch (IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    findings.add(in + " -> no message");
                }
            } catch (RuntimeException e) {
                findings.add(in + " -> " + e);
            }
        }
        System.out.printf("fuzz sizes: %d executions, %d accepted, %d findings%n", RUNS, accepted, findings.size());
        assertTrue(findings.isEmpty(), findings.size() + " findings: " + findings.subList(0, Math.min(5, findings.size())));
    }

    @Test
    void valuesPastTheRangeAreRejectedNotSaturated() {
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> Units.duration("99999999999999999999h"));
        assertTrue(d.getMessage().contains("too large"), d.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> Units.bytes("99999999999T"));
        assertTrue(b.getMessage().contains("too large"), b.getMessage());
        assertEquals(Long.MAX_VALUE, Units.bytes(Long.toString(Long.MAX_VALUE)));
    }
}
