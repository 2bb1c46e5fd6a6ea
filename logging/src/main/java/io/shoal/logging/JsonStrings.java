package io.shoal.logging;

/**
 * JSON string literals, as Jackson's {@code ObjectMapper.writeValueAsString} writes them: the
 * daemon's JSON log lines and the CLI's JSON output (its {@code JsonWriter}) quote strings here,
 * so both write the same bytes. Escaped: {@code "} and {@code \}, and the control characters
 * U+0000 to U+001F, as backslash and b, t, n, f or r where JSON has a short form, else as
 * backslash, u and four upper-case hex digits. Everything else is written as is: DEL, non-ASCII,
 * U+2028/U+2029, and unpaired surrogates too (as Jackson; an encoder to UTF-8 writes {@code ?}
 * for one).
 */
public final class JsonStrings {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonStrings() {}

    /** Appends {@code s} to {@code b} as a JSON string literal, quotes included. */
    public static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\f' -> b.append("\\f");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
