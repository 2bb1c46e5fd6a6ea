package io.shoal.cli.template;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Go's fmt.Sprintf for the verbs scripts use: %v %s %q %d %t %f %e %g %x %X %c %%, with flags, width and precision. */
final class Printf {
    private Printf() {}

    static String format(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int arg = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int start = i++;
            while (i < format.length() && "+-# 0".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            while (i < format.length() && (Character.isDigit(format.charAt(i)) || format.charAt(i) == '.')) {
                i++;
            }
            if (i >= format.length()) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i);
            String spec = format.substring(start + 1, i);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (arg >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object v = GoValues.unwrap(args.get(arg++));
            out.append(one(verb, spec, v));
        }
        if (arg < args.size()) {
            out.append("%!(EXTRA ");
            for (int j = arg; j < args.size(); j++) {
                out.append(j > arg ? ", " : "").append(GoValues.typeName(args.get(j))).append('=').append(GoValues.print(args.get(j)));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static String one(char verb, String spec, Object v) {
        String flags = spec.replaceAll("[0-9.].*$", "");
        String widthPrecision = spec.substring(flags.length());
        String javaFlags = flags.replace("#", "").replace("+", v instanceof Number ? "+" : "");
        try {
            return switch (verb) {
                case 'v', 's' -> String.format("%" + javaFlags.replace("0", "") + stripPrecision(widthPrecision, verb == 's') + "s",
                        precision(GoValues.print(v), widthPrecision, verb == 's'));
                case 'q' -> String.format("%" + javaFlags.replace("0", "") + stripPrecision(widthPrecision, false) + "s",
                        v instanceof String s ? GoStrings.quote(s) : GoValues.print(v));
                case 't' -> String.format("%" + javaFlags.replace("0", "") + widthPrecision + "s", v instanceof Boolean b ? b : bad(verb, v));
                case 'd' -> String.format("%" + javaFlags + widthPrecision + "d", integral(verb, v));
                case 'c' -> new String(Character.toChars((int) integral(verb, v)));
                case 'x', 'X' -> v instanceof String s
                        ? hex(s, verb == 'X')
                        : String.format("%" + javaFlags + widthPrecision + verb, integral(verb, v));
                case 'f', 'F', 'e', 'E', 'g', 'G' -> String.format("%" + javaFlags + widthPrecision + Character.toLowerCase(verb == 'F' ? 'f' : verb),
                        v instanceof Number n ? n.doubleValue() : bad(verb, v));
                default -> "%!" + verb + "(" + GoValues.typeName(v) + "=" + GoValues.print(v) + ")";
            };
        } catch (IllegalArgumentException e) {
            return "%!" + verb + "(" + GoValues.typeName(v) + "=" + GoValues.print(v) + ")";
        }
    }

    private static String stripPrecision(String wp, boolean keep) {
        int dot = wp.indexOf('.');
        return dot < 0 || keep ? (dot < 0 ? wp : wp.substring(0, dot)) : wp.substring(0, dot);
    }

    private static String precision(String s, String wp, boolean applies) {
        int dot = wp.indexOf('.');
        if (!applies || dot < 0) {
            return s;
        }
        int n = dot + 1 < wp.length() ? Integer.parseInt(wp.substring(dot + 1)) : 0;
        return s.length() > n ? s.substring(0, n) : s;
    }

    private static long integral(char verb, Object v) {
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        throw new IllegalArgumentException("%" + verb);
    }

    private static Object bad(char verb, Object v) {
        throw new IllegalArgumentException("%" + verb);
    }

    private static String hex(String s, boolean upper) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(String.format(upper ? "%02X" : "%02x", b));
        }
        return sb.toString();
    }
}
