package io.shoal.manager.ca;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes join token parsing with seeded mutations of real tokens: only {@link CaException} with a
 * message escapes; an accepted token prints back as what was given; a mutated token never matches
 * the original. {@code -Dshoal.fuzz.runs} and {@code -Dshoal.fuzz.seed} size and replay the run.
 */
class JoinTokenFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40) * 100;
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    static final String ALPHABET = "SHTKN-10123456789abcdefxyzABCDEF \t\n\u0000ü";

    @Test
    void tokens() {
        Random r = new Random(SEED);
        JoinToken original = JoinToken.generate("a".repeat(64), new SecureRandom());
        String seed = original.toString();
        List<String> findings = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < RUNS; i++) {
            StringBuilder s = new StringBuilder(seed);
            for (int n = 1 + r.nextInt(3); n > 0; n--) {
                int at = r.nextInt(s.length() + 1);
                switch (r.nextInt(4)) {
                    case 0 -> s.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                    case 1 -> {
                        if (at < s.length()) {
                            s.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
                        }
                    }
                    case 2 -> {
                        if (at < s.length()) {
                            s.deleteCharAt(at);
                        }
                    }
                    default -> s.setLength(at);
                }
            }
            String in = s.toString();
            try {
                JoinToken t = JoinToken.parse(in);
                accepted++;
                if (!t.toString().equals(in.trim())) {
                    findings.add(in + " -> " + t);
                }
                if (!in.trim().equals(seed) && original.matches(in)) {
                    findings.add(in + " matches " + seed);
                }
            } catch (CaException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("invalid join token")) {
                    findings.add(in + " -> " + e.getMessage());
                }
            } catch (RuntimeException e) {
                findings.add(in + " -> " + e);
            }
        }
        System.out.printf("fuzz join tokens: %d executions, %d accepted, %d findings%n", RUNS, accepted, findings.size());
        assertTrue(findings.isEmpty(), findings.size() + " findings: " + findings.subList(0, Math.min(5, findings.size())));
    }
}
