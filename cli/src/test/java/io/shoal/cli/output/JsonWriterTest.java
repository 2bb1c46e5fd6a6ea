package io.shoal.cli.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON scripts see is the same, byte for byte, as Jackson's, which printed it before. */
class JsonWriterTest {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private static void sameAsJackson(Object value) throws Exception {
        assertTrue(JsonWriter.writes(value), () -> "writes " + value);
        assertEquals(PRETTY.writeValueAsString(value), JsonWriter.pretty(value));
        assertEquals(COMPACT.writeValueAsString(value), JsonWriter.compact(value));
        StringWriter w = new StringWriter();
        Json.print(new PrintWriter(w), value);
        assertEquals(PRETTY.writeValueAsString(value) + System.lineSeparator(), w.toString());
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void listingsRowsAsServiceLsAndNodeLsPrintThem() throws Exception {
        Map<String, Object> service = map("ID", "rh6yk79udwu5qj1xz5dn0nx8q", "Name", "web", "Mode", "replicated",
                "Replicas", "0/1 (1/1 completed)", "Image", "registry.lab:5000/busybox:latest", "Ports", "*:8080->80/tcp, *:53->53/udp");
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("zone", "eu-1");
        labels.put("ssd", "");
        Map<String, Object> node = map("ID", "n1", "Hostname", "lab-h1", "Status", "Ready", "Availability", "Active",
                "ManagerStatus", "Leader", "Address", "10.0.0.1", "EngineVersion", "0.1.0-SNAPSHOT", "Role", "manager",
                "Self", true, "Labels", labels, "TLSStatus", "Ready");
        Map<String, Object> worker = map("ID", "n2", "Hostname", "lab-h2", "Self", false, "Labels", Map.of());
        sameAsJackson(List.of(service, service));
        sameAsJackson(List.of(node, worker));
        sameAsJackson(List.of());
        sameAsJackson(new ArrayList<>(List.of(Map.of())));
    }

    @Test
    void nestedObjectsAndArraysIndentAsJacksonsPrettyPrinter() throws Exception {
        Map<String, Object> version = map("Client", map("Version", "0.1.0", "ApiVersion", "1.0", "Os", "linux"),
                "Server", map("Version", "0.1.0", "StoreFormat", 3, "Nested", map("Deeper", map("List", List.of(1, 2, 3)))));
        sameAsJackson(version);
        sameAsJackson(map("Managers", List.of("10.0.0.1:4242", "10.0.0.2:4242"), "Empty", List.of(), "EmptyMap", new TreeMap<>(),
                "Lists", List.of(List.of(), List.of(List.of("a")), List.of(map("k", List.of(map()))))));
        sameAsJackson(map());
        sameAsJackson(List.of(List.of(map("a", 1), map()), map("b", map("c", map()))));
        sameAsJackson(new HashMap<>(Map.of("one", 1, "two", 2, "three", 3)));
        sameAsJackson(Collections.unmodifiableList(Arrays.asList("x", null, "y")));
    }

    @Test
    void scalarsNullsAndNumbers() throws Exception {
        List<Object> values = Arrays.asList(null, true, false, "", 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE,
                Long.MIN_VALUE, Long.MAX_VALUE, (short) -7, (byte) 127, new BigInteger("123456789012345678901234567890"),
                0.0, -0.0, 1.0, 0.1, 123.456, 1e21, 1e-7, 1.0E-5, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.5f, 1e-10f, Float.NaN, Float.NEGATIVE_INFINITY,
                new BigDecimal("1E+3"), new BigDecimal("0.000001"), new BigDecimal("-12.3400"), BigDecimal.ZERO);
        for (Object v : values) {
            sameAsJackson(v);
            sameAsJackson(map("Value", v));
        }
        sameAsJackson(values);
        sameAsJackson(map("RaftIndex", 42L, "Error", null, "InUse", true, "Size", 5_242_880L));
    }

    @Test
    void awkwardStringsEscapeAsJacksonEscapesThem() throws Exception {
        StringBuilder control = new StringBuilder();
        for (char c = 0; c < 0x80; c++) {
            control.append(c);
        }
        List<String> strings = List.of(control.toString(), "quote \" backslash \\ slash / </script>", "tab\tnew\nline\r\n",
                "\u0000\u001f\u007f\u0080\u00a0\u2028\u2029", "ünïcödé 日本語 Ελληνικά", "emoji \uD83D\uDC33 pair",
                "lone \uD83D high and \uDC33 low", "\uFEFFbom", "{\"json\": [\"in\", \"a string\"]}");
        for (String s : strings) {
            sameAsJackson(s);
            sameAsJackson(map(s, s)); // keys escape as values do
            sameAsJackson(List.of(s, map("k", s)));
        }
    }

    @Test
    void randomValuesMatchJackson() throws Exception {
        Random random = new Random(16);
        for (int i = 0; i < 500; i++) {
            sameAsJackson(randomValue(random, 0));
        }
    }

    private static Object randomValue(Random r, int depth) {
        int kind = r.nextInt(depth > 3 ? 5 : 7);
        return switch (kind) {
            case 0 -> null;
            case 1 -> r.nextBoolean();
            case 2 -> r.nextBoolean() ? (Object) r.nextLong() : (Object) r.nextInt();
            case 3 -> r.nextBoolean() ? (Object) (r.nextDouble() * Math.pow(10, r.nextInt(40) - 20)) : (Object) r.nextFloat();
            case 4 -> randomString(r);
            case 5 -> {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    l.add(randomValue(r, depth + 1));
                }
                yield l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    m.put(randomString(r), randomValue(r, depth + 1));
                }
                yield m;
            }
        };
    }

    private static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(12); i > 0; i--) {
            int pick = r.nextInt(4);
            sb.append((char) (pick == 0 ? r.nextInt(0x20) : pick == 1 ? 0x20 + r.nextInt(0x60) : r.nextInt(0x10000)));
        }
        return sb.toString();
    }

    private record Point(int x, int y) {}

    private enum Color { RED }

    @Test
    void valuesItDoesNotKnowAreLeftToJackson() throws Exception {
        Map<Object, Object> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        Map<Object, Object> intKey = new HashMap<>();
        intKey.put(1, "v");
        for (Object v : List.of(new Point(1, 2), Color.RED, 'c', intKey, List.of(new Point(3, 4)), map("p", Color.RED),
                new java.util.concurrent.atomic.AtomicLong(3), PRETTY.readTree("{\"a\":[1,{\"b\":null}]}"))) {
            assertFalse(JsonWriter.writes(v), () -> "writes " + v);
            StringWriter w = new StringWriter();
            Json.print(new PrintWriter(w), v);
            assertEquals(PRETTY.writeValueAsString(v) + System.lineSeparator(), w.toString());
        }
        assertFalse(JsonWriter.writes(nullKey));
    }
}
