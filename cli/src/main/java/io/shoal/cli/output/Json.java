package io.shoal.cli.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintWriter;

/**
 * JSON output for scripts ({@code --format json}): Jackson's pretty form. Plain values (maps,
 * lists, strings, numbers, booleans: every listing's rows) are written by {@link JsonWriter}, the
 * same bytes without loading Jackson; anything else goes to Jackson itself.
 */
public final class Json {
    private Json() {}

    public static void print(PrintWriter out, Object value) {
        out.println(JsonWriter.writes(value) ? JsonWriter.pretty(value) : Jackson.pretty(value));
        out.flush();
    }

    /** Jackson's mapper, made only when a value needs it. */
    private static final class Jackson {
        private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        static String pretty(Object value) {
            try {
                return PRETTY.writeValueAsString(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
