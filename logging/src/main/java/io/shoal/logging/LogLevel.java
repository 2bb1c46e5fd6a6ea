package io.shoal.logging;

import java.util.Locale;

/** The levels an operator chooses from ({@code --log-level}), lowest first; {@code fatal} is read as {@link #ERROR}, as docker's. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR, OFF;

    /** Parses {@code debug|info|warn|error|fatal} (and trace, off); throws with a line naming the choices. */
    public static LogLevel parse(String s) {
        String v = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "trace" -> TRACE;
            case "debug" -> DEBUG;
            case "info" -> INFO;
            case "warn", "warning" -> WARN;
            case "error", "fatal" -> ERROR;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException("'" + s + "' is not a log level; use debug, info, warn, error or fatal");
        };
    }

    String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
