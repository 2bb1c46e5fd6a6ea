package io.shoal.dockermodel;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Docker's filters parameter in both of its encodings, and how values match. */
class FiltersTest {
    private static final Set<String> KEYS = Set.of("name", "label", "id");

    @Test
    void bothEncodingsReadTheSame() {
        Filters maps = Filters.parse("{\"name\":{\"web\":true,\"db\":true,\"off\":false}}", KEYS);
        Filters lists = Filters.parse("{\"name\":[\"web\",\"db\"]}", KEYS);
        assertEquals(List.of("web", "db"), maps.get("name"));
        assertEquals(List.of("web", "db"), lists.get("name"));
    }

    @Test
    void namesMatchByPrefixLabelsByKeyOrKeyAndValue() {
        Filters f = Filters.parse("{\"name\":{\"we\":true},\"label\":{\"tier\":true,\"env=prod\":true}}", KEYS);
        assertTrue(f.prefix("name", "web"));
        assertFalse(f.prefix("name", "db"));
        assertTrue(f.labels("label", Map.of("tier", "x", "env", "prod")));
        assertFalse(f.labels("label", Map.of("tier", "x", "env", "dev")));
        assertFalse(f.labels("label", Map.of("env", "prod")));
        assertTrue(Filters.none().prefix("name", "anything"));
    }

    @Test
    void anUnknownKeyOrMalformedParameterIsRefusedAsDockerdDoes() {
        assertEquals("invalid filter 'colour'", assertThrows(InvalidSpec.class, () -> Filters.parse("{\"colour\":[\"red\"]}", KEYS)).getMessage());
        assertThrows(InvalidSpec.class, () -> Filters.parse("name=web", KEYS));
        assertThrows(InvalidSpec.class, () -> Filters.parse("{\"name\":\"web\"}", KEYS));
    }
}
