package io.shoal.cli.template;

import java.util.function.Supplier;

/** Go's string literal escapes, both ways ({@code strconv.Unquote} and {@code strconv.Quote}). */
final class GoStrings {
    private GoStrings() {}

    static String unquote(String body, Supplier<TemplateException> bad) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= body.length()) {
                throw bad.get();
            }
            char e = body.charAt(i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case '\\', '"', '\'' -> sb.append(e);
                case 'x', 'u', 'U' -> {
                    int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (i + 1 + n > body.length()) {
                        throw bad.get();
                    }
                    try {
                        sb.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 1 + n), 16));
                    } catch (RuntimeException ex) {
                        throw bad.get();
                    }
                    i += n;
                }
                default -> {
                    if (e >= '0' && e <= '7' && i + 2 < body.length()) {
                        try {
                            sb.append((char) Integer.parseInt(body.substring(i, i + 3), 8));
                        } catch (NumberFormatException ex) {
                            throw bad.get();
                        }
                        i += 2;
                    } else {
                        throw bad.get();
                    }
                }
            }
        }
        return sb.toString();
    }

    /** As Go's %q prints a string. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        sb.append(String.format("\\x%02x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }
}
