package io.shoal.distribution;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes image reference parsing with seeded mutations of valid references: only
 * IllegalArgumentException with a message escapes, and an accepted reference has a registry that
 * is a host name or address with an optional port (docker's grammar) and parses back to itself.
 * {@code -Dshoal.fuzz.runs} and {@code -Dshoal.fuzz.seed} size and replay the run.
 */
class ImageRefFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40) * 100;
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    static final String ALPHABET = "abcxyzABC019./:@_-sha256 \u0000ü";
    static final Pattern REGISTRY = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+])(?::[0-9]{1,5})?");

    @Test
    void references() {
        Random r = new Random(SEED);
        List<String> seeds = List.of("busybox", "busybox:1.36", "library/busybox", "localhost:5000/app:1",
                "10.0.0.1:5000/team/app@sha256:" + "a".repeat(64), "docker.io/x/y:z", "ghcr.io/o/r/s:v1.2-rc_3",
                "[::1]:5000/app", "example.com/a__b/c--d:tag");
        List<String> findings = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < RUNS; i++) {
            StringBuilder s = new StringBuilder(seeds.get(r.nextInt(seeds.size())));
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
                    default -> s.insert(at, s.substring(0, at));
                }
            }
            String in = s.toString();
            try {
                ImageRef ref = ImageRef.parse(in);
                accepted++;
                if (!REGISTRY.matcher(ref.registry()).matches()) {
                    findings.add(in + " -> registry '" + ref.registry() + "'");
                } else if (!ImageRef.parse(ref.toString()).equals(ref)) {
                    findings.add(in + " -> " + ref + " parses back as " + ImageRef.parse(ref.toString()));
                }
            } catch (IllegalArgumentException e) {
                if (e.getMessage() == null || !e.getMessage().startsWith("invalid image reference")) {
                    findings.add(in + " -> " + e.getMessage());
                }
            } catch (RuntimeException e) {
                findings.add(in + " -> " + e);
            }
        }
        System.out.printf("fuzz image references: %d executions, %d accepted, %d findings%n", RUNS, accepted, findings.size());
        assertTrue(findings.isEmpty(), findings.size() + " findings: " + findings.subList(0, Math.min(5, findings.size())));
    }

    @Test
    void aRegistryThatIsNoHostIsRefused() {
        for (String bad : List.of("a:b:c/x", "host:port/x", "ex_ample.com/x", "-a.com/x", "a.com:/x", "[zz]:5000/x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(bad), bad);
            assertTrue(e.getMessage().contains("registry"), e.getMessage());
        }
    }
}
