package io.shoal.cli.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The functions a --format template may call: Go's built-ins that scripts use and docker's own
 * ({@code json}, {@code split}, {@code join}, {@code title}, {@code lower}, {@code upper},
 * {@code pad}, {@code truncate}). {@code and}/{@code or} are evaluated lazily by {@link Exec}.
 */
final class Funcs {
    static final Set<String> NAMES = Set.of("and", "or", "not", "len", "index", "slice", "eq", "ne", "lt", "le", "gt", "ge",
            "print", "printf", "println", "json", "split", "join", "title", "lower", "upper", "pad", "truncate");

    private Funcs() {}

    static Object call(String name, List<Object> args) {
        return switch (name) {
            case "not" -> {
                arity(name, args, 1);
                yield !GoValues.truth(args.get(0));
            }
            case "len" -> {
                arity(name, args, 1);
                yield (long) GoValues.length(args.get(0));
            }
            case "index" -> index(args);
            case "slice" -> slice(args);
            case "eq" -> {
                atLeast(name, args, 2);
                boolean any = false;
                for (Object b : args.subList(1, args.size())) {
                    any |= GoValues.equal(args.get(0), b);
                }
                yield any;
            }
            case "ne" -> {
                arity(name, args, 2);
                yield !GoValues.equal(args.get(0), args.get(1));
            }
            case "lt" -> compare(name, args) < 0;
            case "le" -> compare(name, args) <= 0;
            case "gt" -> compare(name, args) > 0;
            case "ge" -> compare(name, args) >= 0;
            case "print" -> sprint(args);
            case "println" -> {
                List<String> parts = new ArrayList<>();
                args.forEach(a -> parts.add(GoValues.print(a)));
                yield String.join(" ", parts) + "\n";
            }
            case "printf" -> {
                atLeast(name, args, 1);
                yield Printf.format(GoValues.string(args.get(0), "printf"), args.subList(1, args.size()));
            }
            case "json" -> {
                arity(name, args, 1);
                yield GoValues.json(args.get(0));
            }
            case "split" -> {
                arity(name, args, 2);
                String sep = GoValues.string(args.get(1), "split");
                String s = GoValues.string(args.get(0), "split");
                yield new ArrayList<Object>(sep.isEmpty() ? s.codePoints().mapToObj(Character::toString).toList()
                        : Arrays.asList(s.split(Pattern.quote(sep), -1)));
            }
            case "join" -> {
                arity(name, args, 2);
                List<String> parts = new ArrayList<>();
                GoValues.elements(list(args.get(0), "join")).forEach(e -> parts.add(GoValues.print(e)));
                yield String.join(GoValues.string(args.get(1), "join"), parts);
            }
            case "title" -> {
                arity(name, args, 1);
                yield title(GoValues.string(args.get(0), "title"));
            }
            case "lower" -> {
                arity(name, args, 1);
                yield GoValues.string(args.get(0), "lower").toLowerCase(Locale.ROOT);
            }
            case "upper" -> {
                arity(name, args, 1);
                yield GoValues.string(args.get(0), "upper").toUpperCase(Locale.ROOT);
            }
            case "pad" -> {
                arity(name, args, 3);
                yield " ".repeat((int) Math.max(0, GoValues.integer(args.get(1), "pad")))
                        + GoValues.string(args.get(0), "pad") + " ".repeat((int) Math.max(0, GoValues.integer(args.get(2), "pad")));
            }
            case "truncate" -> {
                arity(name, args, 2);
                String s = GoValues.string(args.get(0), "truncate");
                long n = GoValues.integer(args.get(1), "truncate");
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                yield b.length <= n ? s : new String(b, 0, (int) Math.max(0, n), StandardCharsets.UTF_8);
            }
            default -> throw new IllegalArgumentException("function \"" + name + "\" not defined");
        };
    }

    private static void arity(String name, List<Object> args, int n) {
        if (args.size() != n) {
            throw new IllegalArgumentException("wrong number of args for " + name + ": want " + n + " got " + args.size());
        }
    }

    private static void atLeast(String name, List<Object> args, int n) {
        if (args.size() < n) {
            throw new IllegalArgumentException("wrong number of args for " + name + ": want at least " + n + " got " + args.size());
        }
    }

    private static int compare(String name, List<Object> args) {
        arity(name, args, 2);
        return GoValues.compare(args.get(0), args.get(1));
    }

    private static Object list(Object v, String what) {
        if (!GoValues.isList(v)) {
            throw new IllegalArgumentException(what + ": expected a list, got " + GoValues.typeName(v));
        }
        return v;
    }

    /** fmt.Sprint: spaces between operands when neither side is a string. */
    static String sprint(List<Object> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            Object a = GoValues.unwrap(args.get(i));
            if (i > 0 && !(a instanceof String) && !(GoValues.unwrap(args.get(i - 1)) instanceof String)) {
                sb.append(' ');
            }
            sb.append(GoValues.print(a));
        }
        return sb.toString();
    }

    private static Object index(List<Object> args) {
        atLeast("index", args, 1);
        Object v = GoValues.unwrap(args.get(0));
        for (Object key : args.subList(1, args.size())) {
            if (GoValues.isMap(v)) {
                String k = GoValues.string(key, "index");
                v = GoValues.has(v, k) ? GoValues.get(v, k) : GoValues.NO_VALUE;
            } else if (GoValues.isList(v)) {
                List<Object> els = GoValues.elements(v);
                long i = GoValues.integer(key, "index");
                if (i < 0 || i >= els.size()) {
                    throw new IllegalArgumentException("index out of range: " + i);
                }
                v = els.get((int) i);
            } else if (v == null || v == GoValues.NO_VALUE) {
                throw new IllegalArgumentException("index of untyped nil");
            } else {
                throw new IllegalArgumentException("can't index item of type " + GoValues.typeName(v));
            }
        }
        return v;
    }

    private static Object slice(List<Object> args) {
        atLeast("slice", args, 1);
        Object v = GoValues.unwrap(args.get(0));
        int len = GoValues.length(v);
        long from = args.size() > 1 ? GoValues.integer(args.get(1), "slice") : 0;
        long to = args.size() > 2 ? GoValues.integer(args.get(2), "slice") : len;
        if (from < 0 || to < from || to > len) {
            throw new IllegalArgumentException("slice index out of range: " + from + ":" + to);
        }
        if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return new String(b, (int) from, (int) (to - from), StandardCharsets.UTF_8);
        }
        return new ArrayList<>(GoValues.elements(v).subList((int) from, (int) to));
    }

    /** Go's strings.Title: the first letter of each word upper-cased. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean start = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            sb.appendCodePoint(start ? Character.toTitleCase(cp) : cp);
            start = !(Character.isLetterOrDigit(cp) || cp == '_' || cp == '\'');
            i += Character.charCount(cp);
        }
        return sb.toString();
    }
}
