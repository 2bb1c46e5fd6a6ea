package io.shoal.dockermodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** The JSON conventions docker's API uses: times as RFC 3339 with nanoseconds, durations in nanoseconds. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** Go's zero time, which docker writes for a time that was never set. */
    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** docker inspect's layout: four spaces, {@code "Key": value}, {@code {}} and {@code []} when empty. */
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("").withArrayEmptySeparator(""))
            .withObjectIndenter(new DefaultIndenter("    ", "\n")).withArrayIndenter(new DefaultIndenter("    ", "\n")));

    private Json() {}

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    public static ArrayNode strings(Collection<String> values) {
        ArrayNode a = array();
        values.forEach(a::add);
        return a;
    }

    /** A map as a JSON object with its keys sorted (Go writes maps sorted). */
    public static ObjectNode map(Map<String, String> values) {
        ObjectNode o = object();
        new TreeMap<>(values).forEach(o::put);
        return o;
    }

    /** Milliseconds since the epoch as docker writes a time; 0 is Go's zero time. */
    public static String time(long epochMs) {
        return epochMs == 0 ? ZERO_TIME : Instant.ofEpochMilli(epochMs).toString();
    }

    /** Docker's durations are nanoseconds; Shoal's milliseconds. */
    public static long nanos(long ms) {
        return ms * 1_000_000L;
    }

    public static long millis(long nanos) {
        return nanos / 1_000_000L;
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Indented as {@code docker inspect} prints JSON. */
    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a request body; malformed JSON is an {@link InvalidSpec} saying where. */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return object();
        }
        try {
            return MAPPER.readTree(body);
        } catch (IOException e) {
            String m = e.getMessage();
            int nl = m == null ? -1 : m.indexOf('\n');
            throw new InvalidSpec("malformed JSON in the request body: " + (nl > 0 ? m.substring(0, nl) : m));
        }
    }
}
