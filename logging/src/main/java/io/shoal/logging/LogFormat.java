package io.shoal.logging;

import java.util.Locale;

/** How each event is written: a line of text for people, or one JSON object a line for collectors. */
public enum LogFormat {
    TEXT, JSON;

    public static LogFormat parse(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("'" + s + "' is not a log format; use text or json");
        };
    }
}
