package io.shoal.logging;

import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

import java.time.OffsetDateTime;

/** An SLF4J logger that writes through {@link Logging}'s current settings. */
final class ShoalLogger extends LegacyAbstractLogger {
    private transient volatile long generation = -1;
    private transient volatile LogLevel level = LogLevel.INFO;

    ShoalLogger(String name) {
        this.name = name;
    }

    private LogLevel level() {
        Logging.Settings s = Logging.settings();
        if (s.generation() != generation) {
            level = Logging.levelOf(name, s);
            generation = s.generation();
        }
        return level;
    }

    private boolean enabled(LogLevel l) {
        return l.compareTo(level()) >= 0;
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(LogLevel.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(LogLevel.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(LogLevel.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(LogLevel.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(LogLevel.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level l, Marker marker, String pattern, Object[] args, Throwable error) {
        LogLevel ours = switch (l) {
            case TRACE -> LogLevel.TRACE;
            case DEBUG -> LogLevel.DEBUG;
            case INFO -> LogLevel.INFO;
            case WARN -> LogLevel.WARN;
            case ERROR -> LogLevel.ERROR;
        };
        String message = args == null || args.length == 0 ? String.valueOf(pattern) : MessageFormatter.basicArrayFormat(pattern, args);
        write(ours, name, message, error);
    }

    /** Writes one event (the level already checked) in the current format. */
    static void write(LogLevel level, String logger, String message, Throwable error) {
        Logging.Settings s = Logging.settings();
        s.sink().accept(LogLine.format(s.format(), OffsetDateTime.now(), level, logger, Thread.currentThread().getName(),
                message, error));
    }

    /** Whether {@code logger} writes events of {@code level} now (for the java.util.logging bridge). */
    static boolean enabled(String logger, LogLevel level) {
        return level.compareTo(Logging.levelOf(logger, Logging.settings())) >= 0;
    }
}
