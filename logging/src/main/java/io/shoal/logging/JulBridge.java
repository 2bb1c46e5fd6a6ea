package io.shoal.logging;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Routes java.util.logging (gRPC's logging, and System.Logger, which the JDK sends to
 * java.util.logging) into {@link Logging}'s lines: the JDK's console handler goes, this one takes
 * every record at the root.
 */
final class JulBridge extends Handler {
    private static final Formatter MESSAGES = new Formatter() {
        @Override
        public String format(LogRecord record) {
            return formatMessage(record);
        }
    };

    private JulBridge() {}

    static synchronized void install(LogLevel level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.addHandler(new JulBridge());
        root.setLevel(jul(level));
    }

    static Level jul(LogLevel level) {
        return switch (level) {
            case TRACE -> Level.FINEST;
            case DEBUG -> Level.FINE;
            case INFO -> Level.INFO;
            case WARN -> Level.WARNING;
            case ERROR -> Level.SEVERE;
            case OFF -> Level.OFF;
        };
    }

    static LogLevel ours(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return LogLevel.ERROR;
        }
        if (v >= Level.WARNING.intValue()) {
            return LogLevel.WARN;
        }
        if (v >= Level.INFO.intValue()) {
            return LogLevel.INFO;
        }
        return v >= Level.FINE.intValue() ? LogLevel.DEBUG : LogLevel.TRACE;
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null) {
            return;
        }
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        LogLevel level = ours(record.getLevel());
        if (ShoalLogger.enabled(logger, level)) {
            ShoalLogger.write(level, logger, MESSAGES.formatMessage(record), record.getThrown());
        }
    }

    @Override
    public void flush() {
        // every line is written whole as it comes
    }

    @Override
    public void close() {
        // nothing held
    }
}
