package io.shoal.logging;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The process's logging settings: the level (per logger, see below), the format, and where lines
 * go (stderr; systemd's journal takes it from there). Every logger reads them on each event, so
 * {@link #configure} takes effect at once, also for loggers made before it.
 *
 * <p>At info and above a few chatty libraries are held to their own floor (Ratis and Netty inside
 * gRPC to warnings, Netty's bootstrap to errors) while the Raft events an operator reads after a
 * failover (elections, role and configuration changes) stay at info; a logger's level is the higher
 * of the chosen level and its floor. Debug and trace apply to every logger alike: whoever asks for
 * debug gets the libraries' debug too.
 *
 * <p>Before {@link #configure} the settings come from the system properties {@code shoal.log.level}
 * (default info) and {@code shoal.log.format} (default text): the client's launcher sets warn.
 */
public final class Logging {
    /** logger name prefix -> the lowest level it logs at while the chosen level is info or above */
    private static final Map<String, LogLevel> QUIETER = Map.of(
            "org.apache.ratis", LogLevel.WARN,
            "org.apache.ratis.server.RaftServer$Division", LogLevel.INFO,
            "org.apache.ratis.server.impl.LeaderElection", LogLevel.INFO,
            "org.apache.ratis.server.impl.LeaderStateImpl", LogLevel.INFO,
            "io.grpc.netty.shaded", LogLevel.WARN,
            "io.grpc.netty.shaded.io.netty.bootstrap", LogLevel.ERROR);

    private static volatile Settings settings = initial();

    private Logging() {}

    /** The settings every logger reads; {@code generation} grows with each change so loggers can cache their level. */
    record Settings(LogLevel root, LogFormat format, Consumer<String> sink, long generation) {}

    private static Settings initial() {
        LogLevel level = LogLevel.INFO;
        LogFormat format = LogFormat.TEXT;
        try {
            level = LogLevel.parse(System.getProperty("shoal.log.level", "info"));
        } catch (IllegalArgumentException e) {
            // a bad property must not stop the process before it can say anything
        }
        try {
            format = LogFormat.parse(System.getProperty("shoal.log.format", "text"));
        } catch (IllegalArgumentException e) {
            // as above
        }
        return new Settings(level, format, line -> System.err.print(line), 0);
    }

    /**
     * Sets the level and the format for the whole process and routes java.util.logging (and so
     * System.Logger, which the JDK sends there) into the same lines.
     */
    public static void configure(LogLevel level, LogFormat format) {
        Settings s = settings;
        settings = new Settings(level, format, s.sink(), s.generation() + 1);
        JulBridge.install(level);
    }

    /** Sends lines somewhere else (tests); returns the previous sink. */
    static Consumer<String> sink(Consumer<String> sink) {
        Settings s = settings;
        settings = new Settings(s.root(), s.format(), sink, s.generation() + 1);
        return s.sink();
    }

    static Settings settings() {
        return settings;
    }

    /** The level that applies to {@code logger} under {@code s}. */
    static LogLevel levelOf(String logger, Settings s) {
        if (s.root().compareTo(LogLevel.INFO) < 0) {
            return s.root();
        }
        String best = null;
        for (String prefix : QUIETER.keySet()) {
            if ((logger.equals(prefix) || logger.startsWith(prefix + ".") || logger.startsWith(prefix + "$"))
                    && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        if (best == null) {
            return s.root();
        }
        LogLevel floor = QUIETER.get(best);
        return floor.compareTo(s.root()) > 0 ? floor : s.root();
    }
}
