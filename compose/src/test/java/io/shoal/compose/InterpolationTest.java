package io.shoal.compose;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InterpolationTest {
    private final Map<String, String> env = new HashMap<>(Map.of("SET", "value", "EMPTY", "", "OTHER", "other"));
    private final List<String> warnings = new ArrayList<>();
    private final Interpolation i = new Interpolation(env::get, warnings::add);

    @Test
    void plainAndBracedVariables() {
        assertEquals("value", i.substitute("$SET"));
        assertEquals("value", i.substitute("${SET}"));
        assertEquals("a-value-b", i.substitute("a-${SET}-b"));
        assertEquals("value.x", i.substitute("$SET.x"));
        assertEquals("valueother", i.substitute("$SET$OTHER"));
    }

    @Test
    void defaultsTellUnsetFromEmpty() {
        assertEquals("d", i.substitute("${UNSET:-d}"));
        assertEquals("d", i.substitute("${EMPTY:-d}"));
        assertEquals("value", i.substitute("${SET:-d}"));
        assertEquals("d", i.substitute("${UNSET-d}"));
        assertEquals("", i.substitute("${EMPTY-d}"));
        assertEquals("", i.substitute("${UNSET:-}"));
    }

    @Test
    void alternativesReplaceSetValues() {
        assertEquals("alt", i.substitute("${SET:+alt}"));
        assertEquals("", i.substitute("${EMPTY:+alt}"));
        assertEquals("alt", i.substitute("${EMPTY+alt}"));
        assertEquals("", i.substitute("${UNSET+alt}"));
    }

    @Test
    void requiredVariablesRefuseWithTheirMessage() {
        assertEquals("value", i.substitute("${SET:?must be set}"));
        var e = assertThrows(IllegalArgumentException.class, () -> i.substitute("${UNSET:?must be set}"));
        assertEquals("required variable UNSET is missing a value: must be set", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> i.substitute("${EMPTY:?}"));
        assertEquals("required variable EMPTY is missing a value", e.getMessage());
        assertEquals("", i.substitute("${EMPTY?not refused: it is set}"));
        assertThrows(IllegalArgumentException.class, () -> i.substitute("${UNSET?x}"));
    }

    @Test
    void formsNest() {
        assertEquals("other", i.substitute("${UNSET:-${OTHER}}"));
        assertEquals("deep", i.substitute("${UNSET:-${ALSO_UNSET:-deep}}"));
        assertEquals("x-other", i.substitute("${SET:+x-$OTHER}"));
        var e = assertThrows(IllegalArgumentException.class, () -> i.substitute("${UNSET:?need $OTHER}"));
        assertEquals("required variable UNSET is missing a value: need other", e.getMessage());
    }

    @Test
    void doubleDollarIsALiteralAndAStrayDollarStays() {
        assertEquals("$SET", i.substitute("$$SET"));
        assertEquals("cost: $5", i.substitute("cost: $5"));
        assertEquals("a $ b", i.substitute("a $ b"));
        assertEquals("end$", i.substitute("end$"));
        assertEquals("${SET}", i.substitute("$${SET}"));
    }

    @Test
    void anUnsetVariableIsBlankWithAWarning() {
        assertEquals("a--b", i.substitute("a-$UNSET-b"));
        assertEquals(List.of("The \"UNSET\" variable is not set. Defaulting to a blank string."), warnings);
    }

    @Test
    void malformedTemplatesAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> i.substitute("${SET")).getMessage().contains("missing '}'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> i.substitute("${}")).getMessage().contains("names no variable"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> i.substitute("${SET/a/b}")).getMessage()
                .contains("invalid interpolation format"));
    }

    @Test
    void aFileNamesThePathOfAFailedInterpolation() {
        var e = assertThrows(ComposeException.class, () -> Fixtures.text("services:\n  web:\n    image: \"nginx:${TAG:?set TAG}\"\n"));
        assertEquals("app.yml: services.web.image: required variable TAG is missing a value: set TAG", e.getMessage());
    }

    @Test
    void keysAreNotInterpolatedAndEnvFileDefaultsComeUnderTheEnvironment() throws Exception {
        Project p = Fixtures.files("golden/webapp", Map.of("LOG_LEVEL", "error"), "compose.yml");
        @SuppressWarnings("unchecked")
        Map<String, Object> api = (Map<String, Object>) p.services().get("api");
        // .env gives REGISTRY and API_TAG; the process environment wins for LOG_LEVEL
        assertEquals("registry.example.com:5000/api:1.4.2", api.get("image"));
        assertEquals("error", ((Map<?, ?>) api.get("environment")).get("LOG_LEVEL"));
        Project key = Fixtures.text("services:\n  web:\n    image: a\n    labels:\n      \"$SET\": x\n", env);
        assertEquals(Map.of("$SET", "x"), ((Map<?, ?>) ((Map<?, ?>) key.services().get("web")).get("labels")));
    }
}
