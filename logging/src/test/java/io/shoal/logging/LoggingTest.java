package io.shoal.logging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SLF4J, java.util.logging and System.Logger events all come out in one format, at the configured level. */
class LoggingTest {
    private static final String TEXT_LINE =
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) [A-Z]{4,5} +\\[[^]]+] \\S+: .*\\n";
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private Consumer<String> previous;

    @BeforeEach
    void capture() {
        previous = Logging.sink(lines::add);
    }

    @AfterEach
    void restore() {
        Logging.configure(LogLevel.INFO, LogFormat.TEXT);
        Logging.sink(previous);
    }

    @Test
    void slf4jIsThisProviderAndTextLinesCarryTheTimeWithItsZone() {
        Logging.configure(LogLevel.INFO, LogFormat.TEXT);
        Logger log = LoggerFactory.getLogger("io.shoal.node.Example");
        assertTrue(log instanceof ShoalLogger, log.getClass().getName());
        log.info("node {} is ready on {}", "n1", "10.0.0.1:4242");
        log.debug("not at info");
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(TEXT_LINE), lines.get(0));
        assertTrue(lines.get(0).endsWith(" INFO  [main] Example: node n1 is ready on 10.0.0.1:4242\n"), lines.get(0));
    }

    @Test
    void jsonLinesAreOneObjectEachWithTheErrorInside() throws IOException {
        Logging.configure(LogLevel.DEBUG, LogFormat.JSON);
        LoggerFactory.getLogger("io.shoal.x.Y").warn("a \"quoted\"\nline", new IllegalStateException("boom"));
        LoggerFactory.getLogger("io.shoal.x.Y").debug("debug shows");
        assertEquals(2, lines.size(), lines.toString());
        for (String l : lines) {
            assertTrue(l.endsWith("}\n") && l.indexOf('\n') == l.length() - 1, "one line: " + l);
        }
        JsonNode warn = new ObjectMapper().readTree(lines.get(0));
        assertEquals("warn", warn.get("level").asText());
        assertEquals("io.shoal.x.Y", warn.get("logger").asText());
        assertEquals("a \"quoted\"\nline", warn.get("msg").asText());
        assertTrue(warn.get("error").asText().startsWith("java.lang.IllegalStateException: boom"), warn.toString());
        assertTrue(warn.get("time").asText().matches(".*T.*(Z|[+-]\\d\\d:\\d\\d)"), warn.toString());
        assertEquals("debug", new ObjectMapper().readTree(lines.get(1)).get("level").asText());
    }

    @Test
    void julAndSystemLoggerGoThroughTheSameLines() {
        Logging.configure(LogLevel.INFO, LogFormat.TEXT);
        java.util.logging.Logger.getLogger("io.grpc.internal.Something").warning("grpc says {0}");
        java.util.logging.Logger.getLogger("io.grpc.internal.Something").fine("too fine");
        System.getLogger("io.shoal.net.dns.Forwarder").log(System.Logger.Level.WARNING, "no upstream resolver answered");
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches(TEXT_LINE) && lines.get(0).contains(" WARN  ") && lines.get(0).contains("Something: grpc says {0}"),
                lines.get(0));
        assertTrue(lines.get(1).matches(TEXT_LINE) && lines.get(1).contains("Forwarder: no upstream resolver answered"), lines.get(1));
    }

    @Test
    void chattyLibrariesAreQuietUnlessDebugIsAsked() {
        Logging.configure(LogLevel.INFO, LogFormat.TEXT);
        LoggerFactory.getLogger("org.apache.ratis.grpc.server.Whatever").info("ratis chatter");
        LoggerFactory.getLogger("org.apache.ratis.server.impl.LeaderElection").info("elected");
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("LeaderElection: elected"), lines.get(0));
        Logging.configure(LogLevel.DEBUG, LogFormat.TEXT);
        LoggerFactory.getLogger("org.apache.ratis.grpc.server.Whatever").info("ratis chatter");
        assertEquals(2, lines.size(), lines.toString());
        Logging.configure(LogLevel.ERROR, LogFormat.TEXT);
        LoggerFactory.getLogger("io.shoal.Z").warn("hidden");
        assertEquals(2, lines.size(), lines.toString());
        // the client's level: its own warnings show, Netty's bootstrap warnings (epoll options) do not
        Logging.configure(LogLevel.WARN, LogFormat.TEXT);
        LoggerFactory.getLogger("io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap").warn("Unknown channel option 'SO_KEEPALIVE'");
        LoggerFactory.getLogger("org.apache.ratis.server.impl.LeaderElection").info("elected");
        LoggerFactory.getLogger("io.shoal.Z").warn("shown");
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(2).contains("Z: shown"), lines.get(2));
    }

    @Test
    void badLevelsAndFormatsSayWhatIsAllowed() {
        assertEquals(LogLevel.ERROR, LogLevel.parse("fatal"));
        assertEquals(LogLevel.WARN, LogLevel.parse("WARN"));
        IllegalArgumentException l = assertThrows(IllegalArgumentException.class, () -> LogLevel.parse("loud"));
        assertEquals("'loud' is not a log level; use debug, info, warn, error or fatal", l.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("xml"));
        assertEquals("'xml' is not a log format; use text or json", f.getMessage());
        assertFalse(lines.stream().anyMatch(x -> x.contains("loud")));
    }
}
