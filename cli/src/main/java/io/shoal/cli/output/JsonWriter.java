package io.shoal.cli.output;

import io.shoal.logging.JsonStrings;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;

/**
 * JSON text of plain values (maps with string keys, collections, strings, booleans, whole and
 * decimal numbers, null), written byte for byte as Jackson's {@code ObjectMapper} writes them:
 * pretty as with {@code INDENT_OUTPUT} (its {@code DefaultPrettyPrinter}: {@code "key" : value},
 * objects indented by two spaces per level, arrays on one line, {@code { }} and {@code [ ]} when
 * empty) or compact. Strings are quoted by {@link JsonStrings}, as Jackson quotes them (the
 * daemon's JSON log lines too).
 *
 * <p>The CLI's hot paths ({@code service ls --format json}, {@code node ls --format json}) print
 * through this so that they load none of Jackson's ~470 classes (docs/operations.md, "A fast
 * CLI"). A value it does not know ({@link #writes} is false: a record, a JSON tree, an enum, a map
 * with a null or non-string key, ...) is left to Jackson by the caller, so what scripts see never
 * changes. {@code JsonWriterTest} compares both on ordinary and awkward inputs.
 */
public final class JsonWriter {
    private static final String EOL = System.lineSeparator();

    private final StringBuilder sb = new StringBuilder(256);
    private final boolean pretty;

    private JsonWriter(boolean pretty) {
        this.pretty = pretty;
    }

    /** As Jackson's {@code writerWithDefaultPrettyPrinter().writeValueAsString(value)}; {@link #writes} must hold. */
    public static String pretty(Object value) {
        JsonWriter w = new JsonWriter(true);
        w.value(value, 0);
        return w.sb.toString();
    }

    /** As Jackson's {@code writeValueAsString(value)}; {@link #writes} must hold. */
    public static String compact(Object value) {
        JsonWriter w = new JsonWriter(false);
        w.value(value, 0);
        return w.sb.toString();
    }

    /** Whether every value in {@code value} is one this writer writes as Jackson does. */
    public static boolean writes(Object value) {
        if (value == null || value instanceof String || value instanceof Boolean || wholeNumber(value)
                || value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            return true;
        }
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String) || !writes(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Collection<?> c) {
            for (Object o : c) {
                if (!writes(o)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean wholeNumber(Object v) {
        return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte || v instanceof BigInteger;
    }

    /** Plain instanceof tests, not a pattern switch: that would bootstrap an invokedynamic call site at run time. */
    private void value(Object v, int level) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            JsonStrings.quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b.booleanValue());
        } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            JsonStrings.quote(sb, d.toString()); // Jackson quotes them (QUOTE_NON_NUMERIC_NUMBERS)
        } else if (v instanceof Float f && (f.isNaN() || f.isInfinite())) {
            JsonStrings.quote(sb, f.toString());
        } else if (v instanceof Number n) {
            sb.append(n.toString()); // Integer, Long, Short, Byte, BigInteger, Double, Float, BigDecimal
        } else if (v instanceof Map<?, ?> m) {
            object(m, level);
        } else if (v instanceof Collection<?> c) {
            array(c, level);
        } else {
            throw new IllegalArgumentException("not a plain JSON value: " + v.getClass().getName());
        }
    }

    private void object(Map<?, ?> m, int level) {
        sb.append('{');
        if (m.isEmpty()) {
            if (pretty) {
                sb.append(' ');
            }
            sb.append('}');
            return;
        }
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            if (pretty) {
                indent(level + 1);
            }
            JsonStrings.quote(sb, (String) e.getKey());
            sb.append(pretty ? " : " : ":");
            value(e.getValue(), level + 1);
        }
        if (pretty) {
            indent(level);
        }
        sb.append('}');
    }

    /** Arrays stay on one line in Jackson's pretty printer (a space inside the brackets and after each comma). */
    private void array(Collection<?> c, int level) {
        sb.append('[');
        boolean first = true;
        for (Object o : c) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            if (pretty) {
                sb.append(' ');
            }
            value(o, level);
        }
        if (pretty) {
            sb.append(' ');
        }
        sb.append(']');
    }

    private void indent(int level) {
        sb.append(EOL);
        for (int i = 0; i < level; i++) {
            sb.append("  ");
        }
    }
}
