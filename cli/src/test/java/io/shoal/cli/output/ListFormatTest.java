package io.shoal.cli.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listing formats against what docker prints for the same rows. */
class ListFormatTest {
    private static final List<String> FIELDS = List.of("ID", "Name", "Mode", "Replicas", "Image", "Ports");

    private static Map<String, Object> row(String id, String name, String mode, String replicas) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ID", id);
        m.put("Name", name);
        m.put("Mode", mode);
        m.put("Replicas", replicas);
        m.put("Image", "busybox:latest");
        m.put("Ports", "");
        return m;
    }

    private static final List<Map<String, Object>> ROWS = List.of(row("fkb7mjcp8ube", "g", "global", "1/1"),
            row("3801ufd7ek84", "job", "replicated-job", "0/1 (1/1 completed)"), row("rh6yk79udwu5", "web", "replicated", "3/3"));

    private static String print(String format) {
        StringWriter w = new StringWriter();
        ListFormat.parse(format).print(new PrintWriter(w), FIELDS, ROWS, ROWS);
        return w.toString();
    }

    @Test
    void tableTemplateAlignsAsDockersTabwriter() {
        // docker service ls --format 'table {{.Name}}\t{{.Replicas}}\t{{.ID}}' on a Docker 20.10 swarm
        assertEquals("""
                NAME      REPLICAS              ID
                g         1/1                   fkb7mjcp8ube
                job       0/1 (1/1 completed)   3801ufd7ek84
                web       3/3                   rh6yk79udwu5
                """, print("table {{.Name}}\\t{{.Replicas}}\\t{{.ID}}"));
    }

    @Test
    void aTableWithNoRowsStillHasItsHeader() {
        StringWriter w = new StringWriter();
        ListFormat.parse("table {{.ID}}\t{{.DesiredState}}").print(new PrintWriter(w), List.of("ID", "DesiredState"), List.of(), List.of());
        assertEquals("ID        DESIRED STATE\n", w.toString());
    }

    @Test
    void aTemplatePrintsOneLinePerRowAndJsonOneObjectPerLine() {
        assertEquals("g:global\njob:replicated-job\nweb:replicated\n", print("{{.Name}}:{{.Mode}}"));
        String lines = print("{{json .}}");
        assertEquals(3, lines.lines().count());
        assertTrue(lines.startsWith("{\"ID\":\"fkb7mjcp8ube\",\"Name\":\"g\""), lines);
    }

    /** What scripts read is what Jackson wrote before {@link JsonWriter} took over: the same bytes. */
    @Test
    void jsonAndTheJsonFunctionPrintJacksonsBytes() throws Exception {
        ObjectMapper jackson = new ObjectMapper();
        StringBuilder perRow = new StringBuilder();
        for (Map<String, Object> r : ROWS) {
            perRow.append(jackson.writeValueAsString(r)).append('\n');
        }
        assertEquals(perRow.toString(), print("{{json .}}"));
        assertEquals(jackson.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(ROWS) + "\n", print("json"));
    }

    @Test
    void jsonIsOneArrayWithTheRowsKeys() {
        String json = print("json");
        assertTrue(json.strip().startsWith("[") && json.strip().endsWith("]"), json);
        assertTrue(json.contains("\"Replicas\" : \"0/1 (1/1 completed)\""), json);
    }

    @Test
    void headersSplitFieldNamesIntoWords() {
        assertEquals("DESIRED STATE", ListFormat.headerOf("DesiredState"));
        assertEquals("ID", ListFormat.headerOf("ID"));
        assertEquals("TLS STATUS", ListFormat.headerOf("TLSStatus"));
        assertEquals("MANAGER STATUS", ListFormat.headerOf("ManagerStatus"));
    }
}
