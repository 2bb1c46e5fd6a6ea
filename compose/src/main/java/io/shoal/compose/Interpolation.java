package io.shoal.compose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Variable substitution in compose values (never keys), as the compose specification and Docker's
 * template package define it: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}} (unset or
 * empty), {@code ${VAR-default}} (unset), {@code ${VAR:?error}} and {@code ${VAR?error}} (refuse),
 * {@code ${VAR:+alt}} and {@code ${VAR+alt}} (replace when set), {@code $$} for a literal dollar.
 * Defaults, errors and alternatives are themselves interpolated, so forms nest. A {@code $} that
 * starts no variable stays as it is. An unset variable without a default becomes "" with a warning.
 */
final class Interpolation {
    private final Function<String, String> lookup;
    private final Consumer<String> warnings;

    /** {@code lookup} returns null for an unset variable. */
    Interpolation(Function<String, String> lookup, Consumer<String> warnings) {
        this.lookup = lookup;
        this.warnings = warnings;
    }

    /** Every string value of {@code tree}, substituted; problems name the path. */
    Object tree(Object v, At at) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String k = (String) e.getKey();
                out.put(k, tree(e.getValue(), at.key(k)));
            }
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                out.add(tree(l.get(i), at.index(i)));
            }
            return out;
        }
        if (v instanceof String s) {
            try {
                return substitute(s);
            } catch (IllegalArgumentException e) {
                throw at.fail(e.getMessage());
            }
        }
        return v;
    }

    /** One string, substituted. */
    String substitute(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '$' || i + 1 == s.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = s.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int end = closing(s, i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("invalid interpolation format in \"" + s + "\": missing '}'");
                }
                out.append(braced(s.substring(i + 2, end), s));
                i = end + 1;
            } else if (nameStart(next)) {
                int end = i + 1;
                while (end < s.length() && namePart(s.charAt(end))) {
                    end++;
                }
                out.append(value(s.substring(i + 1, end)));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** The index of the '}' that closes a "${" whose body starts at {@code from}, or -1. */
    private static int closing(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '$') {
                i++;
            } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                depth++;
                i++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private String braced(String body, String whole) {
        int n = 0;
        while (n < body.length() && (n == 0 ? nameStart(body.charAt(n)) : namePart(body.charAt(n)))) {
            n++;
        }
        String name = body.substring(0, n);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("invalid interpolation format in \"" + whole + "\": \"${" + body
                    + "}\" names no variable");
        }
        String rest = body.substring(n);
        if (rest.isEmpty()) {
            return value(name);
        }
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(0, Math.min(2, rest.length())) : rest.substring(0, 1);
        String arg = rest.substring(op.length());
        String v = lookup.apply(name);
        boolean unset = v == null || colon && v.isEmpty();
        return switch (op.charAt(op.length() - 1)) {
            case '-' -> unset ? substitute(arg) : v;
            case '?' -> {
                if (unset) {
                    String msg = substitute(arg);
                    throw new IllegalArgumentException("required variable " + name + " is missing a value"
                            + (msg.isEmpty() ? "" : ": " + msg));
                }
                yield v;
            }
            case '+' -> unset ? "" : substitute(arg);
            default -> throw new IllegalArgumentException("invalid interpolation format in \"" + whole + "\": \"${" + body
                    + "}\" (use ${VAR}, ${VAR:-default}, ${VAR:?error} or ${VAR:+alternative})");
        };
    }

    private String value(String name) {
        String v = lookup.apply(name);
        if (v == null) {
            warnings.accept("The \"" + name + "\" variable is not set. Defaulting to a blank string.");
            return "";
        }
        return v;
    }

    private static boolean nameStart(char c) {
        return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean namePart(char c) {
        return nameStart(c) || c >= '0' && c <= '9';
    }
}
