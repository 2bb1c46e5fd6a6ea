package io.shoal.logging;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one JSON string quoter, for the daemon's JSON log lines and the CLI's JSON output alike. */
class JsonStringsTest {
    private static String quoted(String s) {
        StringBuilder b = new StringBuilder();
        JsonStrings.quote(b, s);
        return b.toString();
    }

    @Test
    void quotesBackslashesAndControlCharactersAreEscaped() {
        assertEquals("\"say \\\"hi\\\" C:\\\\dir\"", quoted("say \"hi\" C:\\dir"));
        assertEquals("\"\\b\\t\\n\\f\\r\"", quoted("\b\t\n\f\r"), "JSON's short forms");
        assertEquals("\"\\u0000\\u0001\\u000B\\u001B\\u001F\"", quoted("\u0000\u0001\u000b\u001b\u001f"),
                "the other control characters: four upper-case hex digits");
        assertEquals("\"\"", quoted(""));
    }

    @Test
    void everythingElseIsWrittenAsIsNonAsciiAndLoneSurrogatesIncluded() {
        for (String s : new String[] {"/ </script> \u007f", "ünïcödé 日本語 Ελληνικά \u00a0\u2028\u2029\uFEFF",
                "emoji \uD83D\uDC33 pair", "lone \uD83D high", "and \uDC33 low", "\uDC33\uD83D reversed"}) {
            assertEquals("\"" + s + "\"", quoted(s));
        }
    }

    @Test
    void everyCharIsQuotedAsJacksonQuotesIt() throws Exception {
        // the CLI's JSON must stay what Jackson printed before it (scripts read it); Jackson leaves
        // unpaired surrogates as they are in a String too
        StringBuilder all = new StringBuilder();
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            all.append((char) c);
        }
        assertEquals(new ObjectMapper().writeValueAsString(all.toString()), quoted(all.toString()));
    }

    @Test
    void jsonLogLinesQuoteWithIt() {
        String msg = "tab\there \"q\" \\ \b\f\u001b ü \uD83D";
        String line = LogLine.format(LogFormat.JSON, OffsetDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC),
                LogLevel.WARN, "io.shoal.x\"Y", "main\n", msg, null);
        assertTrue(line.contains(",\"msg\":" + quoted(msg) + "}"), line);
        assertTrue(line.contains("\"logger\":" + quoted("io.shoal.x\"Y") + ",\"thread\":" + quoted("main\n")), line);
    }
}
