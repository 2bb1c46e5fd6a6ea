package io.shoal.compose;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class YamlReaderTest {
    @Test
    void anchorsAliasesAndMergeKeys() {
        Map<String, Object> m = YamlReader.read("a.yml", """
                base: &base {image: x, replicas: 2}
                list: &l [1, 2]
                one:
                  <<: *base
                  replicas: 3
                two: *l
                """);
        assertEquals(Map.of("image", "x", "replicas", 3L), m.get("one"));
        assertEquals(List.of(1L, 2L), m.get("two"));
    }

    @Test
    void scalarsResolveByYaml12() {
        Map<String, Object> m = YamlReader.read("a.yml", """
                port: 80:80
                yes_is_text: yes
                on_is_text: on
                bool: true
                date: 2024-01-01
                octal: 0440
                octal12: 0o17
                hex: 0x1F
                float: 0.5
                nothing: ~
                empty:
                """);
        assertEquals("80:80", m.get("port"));
        assertEquals("yes", m.get("yes_is_text"));
        assertEquals("on", m.get("on_is_text"));
        assertEquals(true, m.get("bool"));
        assertEquals("2024-01-01", m.get("date"));
        assertEquals(288L, m.get("octal"));
        assertEquals(15L, m.get("octal12"));
        assertEquals(31L, m.get("hex"));
        assertEquals(0.5, m.get("float"));
        assertTrue(m.containsKey("nothing") && m.get("nothing") == null);
        assertTrue(m.containsKey("empty") && m.get("empty") == null);
    }

    @Test
    void syntaxErrorsNameTheFileAndLine() {
        var e = assertThrows(ComposeException.class, () -> YamlReader.read("app.yml", "services:\n  web:\n    image: [a\n"));
        assertTrue(e.getMessage().startsWith("app.yml: invalid YAML: line "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void duplicateKeysEmptyFilesAndNonMappingsAreRefused() {
        var dup = assertThrows(ComposeException.class, () -> YamlReader.read("app.yml", "a: 1\na: 2\n"));
        assertTrue(dup.getMessage().contains("duplicate key a"), dup.getMessage());
        assertEquals("app.yml: the file is empty", assertThrows(ComposeException.class, () -> YamlReader.read("app.yml", "")).getMessage());
        assertEquals("app.yml: the top level must be a mapping, not a list",
                assertThrows(ComposeException.class, () -> YamlReader.read("app.yml", "- a\n")).getMessage());
    }

    @Test
    void aliasBombsAreRefused() {
        StringBuilder b = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 0; i < 12; i++) {
            char prev = (char) ('a' + i);
            char next = (char) ('a' + i + 1);
            b.append(next).append(": &").append(next).append(" [*").append(prev).append(", *").append(prev)
                    .append(", *").append(prev).append(", *").append(prev).append(", *").append(prev).append(", *")
                    .append(prev).append(", *").append(prev).append(", *").append(prev).append(", *").append(prev).append("]\n");
        }
        var e = assertThrows(ComposeException.class, () -> YamlReader.read("bomb.yml", b.toString()));
        assertTrue(e.getMessage().startsWith("bomb.yml: invalid YAML"), e.getMessage());
    }
}
