package io.shoal.compose;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes compose loading and translation with seeded line and value mutations of the golden files:
 * only {@link ComposeException} (or IllegalArgumentException) with a message escapes, each input
 * ends within a deadline, and sizes past a long are refused rather than wrapped.
 * {@code -Dshoal.fuzz.runs} and {@code -Dshoal.fuzz.seed} size and replay the run.
 */
class ComposeFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40) * 50;
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    static final List<String> VALUES = List.of("", "~", "null", "[]", "{}", "-1", "0", "99999999999999999999",
            "99999999999p", "1.5", "1e400", "yes", "\"\"", "'", "&a x", "*a", "*nope", "<<: *a", "!!binary AA==",
            "${X}", "${X:?boom}", "$${X}", "${", "1s", "-5s", "9999999999999h", "64M", "0.0000000001", "-0.5",
            "80:80", "99999:0", "a:b:c:d", "host", "vip", "dnsrr", "global", "replicated", "x".repeat(3000), "\t", "ü");

    static String mutate(Random r, String text) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        for (int n = 1 + r.nextInt(3); n > 0 && !lines.isEmpty(); n--) {
            int i = r.nextInt(lines.size());
            String line = lines.get(i);
            switch (r.nextInt(7)) {
                case 0 -> lines.remove(i);
                case 1 -> lines.add(i, line);
                case 2 -> lines.set(i, " ".repeat(r.nextInt(5)) + line.stripLeading());
                case 3 -> {
                    int colon = line.indexOf(':');
                    String v = VALUES.get(r.nextInt(VALUES.size()));
                    lines.set(i, colon >= 0 ? line.substring(0, colon + 1) + " " + v : line + " " + v);
                }
                case 4 -> lines.set(i, line.substring(0, r.nextInt(line.length() + 1)));
                case 5 -> lines.add(i, line.replaceAll("\\S.*", Matcher.quoteReplacement("- " + VALUES.get(r.nextInt(VALUES.size())))));
                default -> lines.subList(i, lines.size()).clear();
            }
        }
        return String.join("\n", lines) + "\n";
    }

    @Test
    void composeFiles() throws Exception {
        List<String> seeds = List.of(Files.readString(Fixtures.resource("golden/voting.yml")),
                Files.readString(Fixtures.resource("golden/webapp/compose.yml")));
        Path work = Files.createTempDirectory("compose-fuzz");
        Random r = new Random(SEED);
        List<String> findings = new ArrayList<>();
        int accepted = 0;
        ExecutorService runner = Executors.newSingleThreadExecutor();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < RUNS; i++) {
                String yaml = mutate(r, seeds.get(r.nextInt(seeds.size())));
                Future<?> run = runner.submit(() -> StackTranslator.plan(
                        ComposeLoader.load(List.of(new ComposeLoader.Source("app.yml", yaml)), work, Map.of()), "fz"));
                try {
                    run.get(30, TimeUnit.SECONDS);
                    accepted++;
                } catch (TimeoutException e) {
                    run.cancel(true);
                    findings.add("no answer in 30 s:\n" + yaml);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    boolean clear = (c instanceof ComposeException || c instanceof IllegalArgumentException)
                            && c.getMessage() != null && !c.getMessage().isBlank();
                    if (!clear) {
                        findings.add(c + "\n" + yaml);
                    }
                }
            }
        } finally {
            runner.shutdownNow();
            try (var files = Files.list(work)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.delete(work);
        }
        System.out.printf("fuzz compose files: %d executions in %.1f s, %d accepted, %d findings%n", RUNS,
                (System.nanoTime() - started) / 1e9, accepted, findings.size());
        findings.stream().limit(10).forEach(f -> System.out.println("  finding: " + f));
        assertTrue(findings.isEmpty(), findings.size() + " findings, the first: " + (findings.isEmpty() ? "" : findings.get(0)));
    }

    @Test
    void unitsRefuseWhatALongCannotHold() {
        Random r = new Random(SEED + 1);
        List<String> findings = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            String digits = "9".repeat(1 + r.nextInt(25));
            String size = digits + List.of("", "k", "m", "g", "t", "p", "kb", "GiB").get(r.nextInt(8));
            try {
                long v = Units.bytes(size);
                if (v < 0) {
                    findings.add(size + " -> " + v);
                }
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains(size), expected.getMessage());
            }
            String duration = digits + List.of("ns", "us", "ms", "s", "m", "h").get(r.nextInt(6));
            try {
                long ms = Units.durationMillis(duration);
                BigDecimal exact = new BigDecimal(UnitsExact.nanos(duration)).movePointLeft(6);
                if (ms < 0 || exact.subtract(BigDecimal.valueOf(ms)).abs().compareTo(exact.movePointLeft(9).max(BigDecimal.ONE)) > 0) {
                    findings.add(duration + " -> " + ms + "ms");
                }
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains(duration), expected.getMessage());
            }
        }
        assertTrue(findings.isEmpty(), findings.size() + " findings: " + findings.subList(0, Math.min(5, findings.size())));
    }

    @Test
    void aSizePastALongIsRefusedNotWrapped() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.bytes("99999999999p"));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertEquals(1L << 50, Units.bytes("1p"));
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> Units.durationMillis("9999999999999999h"));
        assertTrue(d.getMessage().contains("too large"), d.getMessage());
    }

    /** Exact nanoseconds of one Go duration part, for the oracle. */
    static final class UnitsExact {
        static BigInteger nanos(String s) {
            String unit = s.replaceAll("^[0-9.]+", "");
            BigDecimal n = new BigDecimal(s.substring(0, s.length() - unit.length()));
            long mult = switch (unit) {
                case "ns" -> 1L;
                case "us" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            return n.multiply(BigDecimal.valueOf(mult)).toBigInteger();
        }
    }
}
