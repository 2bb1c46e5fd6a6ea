package io.shoal.compose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A place in a compose file (the file's name and a path such as {@code services.web.ports[1]}) and
 * the typed reads of the value found there. Every read that fails throws a {@link ComposeException}
 * naming this place; values written as strings (as interpolation leaves them) are accepted where a
 * number or a boolean is expected, as Docker's loader casts them.
 */
record At(String file, String path) {
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");

    static At root(String file) {
        return new At(file, "");
    }

    At key(String k) {
        return new At(file, path.isEmpty() ? k : path + "." + k);
    }

    At index(int i) {
        return new At(file, path + "[" + i + "]");
    }

    ComposeException fail(String problem) {
        return new ComposeException(file, path, problem);
    }

    /** A mapping with string keys (order kept). */
    @SuppressWarnings("unchecked")
    Map<String, Object> map(Object v) {
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw fail("must be a mapping, not " + describe(v));
    }

    /** A mapping whose keys must all be in {@code known}; {@code x-} extension keys are allowed and dropped. */
    Map<String, Object> map(Object v, Set<String> known) {
        Map<String, Object> m = map(v);
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getKey().startsWith("x-")) {
                continue;
            }
            if (!known.contains(e.getKey())) {
                throw key(e.getKey()).fail("unknown key (allowed: " + String.join(", ", new TreeSet<>(known)) + ")");
            }
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    List<Object> list(Object v) {
        if (v instanceof List<?> l) {
            return new ArrayList<>(l);
        }
        throw fail("must be a list, not " + describe(v));
    }

    String string(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw fail("must be a string, not " + describe(v));
    }

    /** A string, a number or a boolean written as text (environment values, labels, sysctls). */
    String scalar(Object v) {
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        throw fail("must be a string, a number or a boolean, not " + describe(v));
    }

    long integer(Object v) {
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s && INTEGER.matcher(s.trim()).matches()) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // too large: below
            }
        }
        throw fail("must be an integer, not " + describe(v));
    }

    long nonNegative(Object v) {
        long n = integer(v);
        if (n < 0) {
            throw fail("must be 0 or more, not " + n);
        }
        return n;
    }

    double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw fail("must be a number, not " + describe(v));
    }

    boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw fail("must be a boolean (true or false), not " + describe(v));
    }

    /** A duration in Go's syntax (1m30s, 500ms), as its canonical text. */
    String duration(Object v) {
        String s = v instanceof Number n ? n + "s" : string(v);
        try {
            Units.durationMillis(s);
        } catch (IllegalArgumentException e) {
            throw fail(e.getMessage());
        }
        return s.trim();
    }

    /** One of {@code allowed}. */
    String oneOf(Object v, String... allowed) {
        String s = string(v);
        for (String a : allowed) {
            if (a.equals(s)) {
                return s;
            }
        }
        throw fail("\"" + s + "\" is not one of " + String.join(", ", allowed));
    }

    /** A list of strings, or a single string taken as a one-entry list. */
    List<String> strings(Object v, boolean singleAllowed) {
        if (singleAllowed && v instanceof String s) {
            return List.of(s);
        }
        List<String> out = new ArrayList<>();
        List<Object> l = list(v);
        for (int i = 0; i < l.size(); i++) {
            out.add(index(i).scalar(l.get(i)));
        }
        return out;
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        return v.getClass() == Boolean.class ? "boolean " + v : "number " + v;
    }
}
