package io.shoal.manager;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {
    @Test
    void idsAre25UniformBase36Digits() {
        Set<String> seen = new HashSet<>();
        int[] counts = new int[36];
        int ids = 20_000;
        for (int i = 0; i < ids; i++) {
            String id = Ids.newId();
            assertTrue(id.matches("[0-9a-z]{25}"), id);
            seen.add(id);
            for (char c : id.toCharArray()) {
                counts[Character.digit(c, 36)]++;
            }
        }
        assertEquals(ids, seen.size(), "no repeats");
        double expected = ids * 25 / 36.0; // ~13,900 per digit: a skewed draw would be off by far more than 5%
        for (int d = 0; d < 36; d++) {
            assertTrue(Math.abs(counts[d] - expected) < expected * 0.05, "digit " + Character.forDigit(d, 36) + ": " + counts[d]);
        }
    }
}
