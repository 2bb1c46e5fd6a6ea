package io.shoal.cli.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.cli.output.JsonWriter;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values a template works with and how Go treats them: JSON objects and maps (fields by key),
 * arrays and lists, strings, numbers, booleans and nil; how they print ({@code fmt}'s {@code %v}),
 * which are "empty" for {@code if}, and how they compare.
 */
final class GoValues {
    /** A field the data does not have, where the template asked to treat that as empty. */
    static final Object NO_VALUE = new Object() {
        @Override
        public String toString() {
            return "";
        }
    };
    private GoValues() {}

    /** JSON scalars as Java values; objects and arrays stay JSON. */
    static Object unwrap(Object v) {
        if (!(v instanceof JsonNode n)) {
            return v;
        }
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        return n;
    }

    static boolean isMap(Object v) {
        return v instanceof Map || (v instanceof JsonNode n && n.isObject());
    }

    static boolean isList(Object v) {
        return v instanceof List || (v instanceof JsonNode n && n.isArray());
    }

    /** A map's keys, sorted (Go ranges and prints maps in key order). */
    static List<String> keys(Object map) {
        List<String> keys = new ArrayList<>();
        if (map instanceof JsonNode n) {
            n.fieldNames().forEachRemaining(keys::add);
        } else {
            ((Map<?, ?>) map).keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        keys.sort(null);
        return keys;
    }

    static boolean has(Object map, String key) {
        return map instanceof JsonNode n ? n.has(key) : ((Map<?, ?>) map).containsKey(key);
    }

    /**
     * The key a template's field names: the same key, or else the one key that differs only in case
     * (Go templates name struct fields, {@code .TimeNano}, where the JSON says {@code timeNano}); null if none.
     */
    static String field(Object map, String name) {
        if (has(map, name)) {
            return name;
        }
        String found = null;
        for (String k : keys(map)) {
            if (k.equalsIgnoreCase(name)) {
                if (found != null) {
                    return null;
                }
                found = k;
            }
        }
        return found;
    }

    static Object get(Object map, String key) {
        return unwrap(map instanceof JsonNode n ? n.get(key) : ((Map<?, ?>) map).get(key));
    }

    static List<Object> elements(Object list) {
        List<Object> out = new ArrayList<>();
        if (list instanceof JsonNode n) {
            n.elements().forEachRemaining(e -> out.add(unwrap(e)));
        } else {
            out.addAll((List<?>) list);
        }
        return out;
    }

    static int length(Object v) {
        if (v instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8).length;
        }
        if (v instanceof JsonNode n) {
            return n.size();
        }
        if (v instanceof List<?> l) {
            return l.size();
        }
        if (v instanceof Map<?, ?> m) {
            return m.size();
        }
        throw new IllegalArgumentException("len of " + typeName(v));
    }

    /** Go's idea of an empty value: false, 0, nil, and empty strings, lists and maps. */
    static boolean truth(Object v) {
        if (v == null || v == NO_VALUE) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Number n) {
            return n instanceof Double d ? d != 0 : new BigDecimal(n.toString()).signum() != 0;
        }
        if (v instanceof JsonNode n) {
            return n.size() > 0;
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** As fmt's %v prints it. */
    static String print(Object v) {
        StringBuilder sb = new StringBuilder();
        print(sb, v);
        return sb.toString();
    }

    private static void print(StringBuilder sb, Object v) {
        v = unwrap(v);
        if (v == null) {
            sb.append("<nil>");
        } else if (v == NO_VALUE) {
            sb.append("");
        } else if (v instanceof Double d) {
            sb.append(number(d));
        } else if (isList(v)) {
            sb.append('[');
            List<Object> els = elements(v);
            for (int i = 0; i < els.size(); i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                print(sb, els.get(i));
            }
            sb.append(']');
        } else if (isMap(v)) {
            sb.append("map[");
            List<String> keys = keys(v);
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                sb.append(keys.get(i)).append(':');
                print(sb, get(v, keys.get(i)));
            }
            sb.append(']');
        } else {
            sb.append(v);
        }
    }

    /** A float as Go's %v prints it: no trailing zeros, an exponent only for very large or small ones. */
    static String number(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        double abs = Math.abs(d);
        if (abs != 0 && (abs < 1e-4 || abs >= 1e21)) {
            String s = String.format("%e", d).replaceAll("\\.?0+e", "e");
            return s.replaceAll("e([+-])0?(\\d)", "e$1$2").replaceAll("e([+-])(\\d)$", "e$10$2");
        }
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** The {@code json} function: the value on one line, as docker's template function writes it. */
    static String json(Object v) {
        try {
            if (v == NO_VALUE) {
                return "null";
            }
            // plain maps and lists (every listing's rows) without Jackson, byte for byte as Jackson writes them
            return JsonWriter.writes(v) ? JsonWriter.compact(v) : Jackson.MAPPER.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage());
        }
    }

    /** Jackson's mapper, made only when a value needs it. */
    private static final class Jackson {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    static String typeName(Object v) {
        v = unwrap(v);
        if (v == null || v == NO_VALUE) {
            return "nil";
        }
        if (isMap(v)) {
            return "map";
        }
        if (isList(v)) {
            return "slice";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Double) {
            return "float64";
        }
        if (v instanceof Number) {
            return "int";
        }
        return v.getClass().getSimpleName();
    }

    /** -1, 0 or 1: numbers by value, strings by their bytes; anything else cannot be ordered. */
    static int compare(Object a, Object b) {
        a = unwrap(a);
        b = unwrap(b);
        if (a instanceof Number x && b instanceof Number y) {
            return decimal(x).compareTo(decimal(y));
        }
        if (a instanceof String x && b instanceof String y) {
            return Integer.signum(x.compareTo(y));
        }
        throw new IllegalArgumentException("incompatible types for comparison: " + typeName(a) + " and " + typeName(b));
    }

    static boolean equal(Object a, Object b) {
        a = unwrap(a);
        b = unwrap(b);
        if (a == NO_VALUE) {
            a = null;
        }
        if (b == NO_VALUE) {
            b = null;
        }
        if (a == null || b == null) {
            return a == b;
        }
        if (a instanceof Number x && b instanceof Number y) {
            return decimal(x).compareTo(decimal(y)) == 0;
        }
        if (a instanceof String || a instanceof Boolean) {
            if (!a.getClass().equals(b.getClass())) {
                throw new IllegalArgumentException("incompatible types for comparison: " + typeName(a) + " and " + typeName(b));
            }
            return a.equals(b);
        }
        throw new IllegalArgumentException("non-comparable type " + typeName(a));
    }

    private static BigDecimal decimal(Number n) {
        if (n instanceof Double d) {
            return BigDecimal.valueOf(d);
        }
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        return BigDecimal.valueOf(n.longValue());
    }

    static long integer(Object v, String what) {
        v = unwrap(v);
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        if (v instanceof Double d && d == Math.rint(d)) {
            return d.longValue();
        }
        throw new IllegalArgumentException(what + ": expected an integer, got " + typeName(v));
    }

    static String string(Object v, String what) {
        v = unwrap(v);
        if (v instanceof String s) {
            return s;
        }
        if (v == NO_VALUE) {
            return "";
        }
        throw new IllegalArgumentException(what + ": expected a string, got " + typeName(v));
    }

    /** A plain map of a JSON object (for functions that build values). */
    static Map<String, Object> toMap(JsonNode n) {
        Map<String, Object> m = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }
}
