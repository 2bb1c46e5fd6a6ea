package io.shoal.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * One event as one line. Text: {@code 2025-01-31T12:00:00.123+01:00 INFO  [thread] Logger: message};
 * JSON: {@code {"time":...,"level":"info","logger":...,"thread":...,"msg":...,"error":...}}, the
 * keys of docker's JSON log lines plus the logger and the thread. A throwable follows the text line
 * as its stack trace, and is the {@code error} field in JSON.
 */
final class LogLine {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private LogLine() {}

    static String format(LogFormat format, OffsetDateTime time, LogLevel level, String logger, String thread, String message,
                         Throwable error) {
        String t = TIME.format(time);
        if (format == LogFormat.JSON) {
            StringBuilder b = new StringBuilder(128 + message.length());
            b.append("{\"time\":\"").append(t).append("\",\"level\":\"").append(level.word()).append("\",\"logger\":");
            JsonStrings.quote(b, logger);
            b.append(",\"thread\":");
            JsonStrings.quote(b, thread);
            b.append(",\"msg\":");
            JsonStrings.quote(b, message);
            if (error != null) {
                b.append(",\"error\":");
                JsonStrings.quote(b, stackTrace(error));
            }
            return b.append("}\n").toString();
        }
        StringBuilder b = new StringBuilder(64 + message.length());
        b.append(t).append(' ').append(level.name());
        b.append(" ".repeat(Math.max(1, 6 - level.name().length())));
        b.append('[').append(thread).append("] ").append(shortName(logger)).append(": ").append(message).append('\n');
        if (error != null) {
            b.append(stackTrace(error));
        }
        return b.toString();
    }

    static String shortName(String logger) {
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }

    private static String stackTrace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
