package io.shoal.cli.output;

import io.shoal.cli.template.Template;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a listing prints, from its {@code --format}: the command's own table (default, or
 * {@code table}), one JSON array for scripts ({@code json}, the keys CLI.md promises), a Go
 * template run on each row (docker's {@code --format '{{.Name}}'}), or a template laid out as a
 * table with a header ({@code table {{.ID}}\t{{.Name}}}). A template is parsed before anything is
 * asked of the daemon, so a malformed one fails at once (exit 2).
 */
public sealed interface ListFormat {
    /** The command's own table. */
    record Default() implements ListFormat {}

    /** One JSON array of the rows. */
    record JsonArray() implements ListFormat {}

    /** The template on each row, one line each. */
    record PerRow(Template template) implements ListFormat {}

    /** The template's header line (its fields' names) and one line per row, aligned as docker aligns them. */
    record Table(Template template) implements ListFormat {}

    static ListFormat parse(String format) {
        if (format == null || format.isEmpty() || format.equals("table")) {
            return new Default();
        }
        if (format.equals("json")) {
            return new JsonArray();
        }
        if (format.startsWith("table ")) {
            return new Table(Template.parse(unescape(format.substring(6)), true));
        }
        return new PerRow(Template.parse(unescape(format), true));
    }

    /** docker's CLI turns the two characters \t in a format into a tab (so do shells' users expect). */
    private static String unescape(String format) {
        return format.replace("\\t", "\t").replace("\\n", "\n");
    }

    /**
     * Prints {@code rows} for the non-default formats; the caller prints its own table for
     * {@link Default}. {@code fields} are the rows' keys (for a header when there are no rows);
     * {@code display} is what a template sees: the same rows with the values the table shows
     * (e.g. shortened ids).
     */
    default void print(PrintWriter out, List<String> fields, List<? extends Map<String, ?>> rows,
                       List<? extends Map<String, ?>> display) {
        switch (this) {
            case Default d -> throw new IllegalStateException("the command prints its own table");
            case JsonArray j -> Json.print(out, rows);
            case PerRow p -> {
                for (Map<String, ?> r : display) {
                    out.println(p.template().render(r));
                }
            }
            case Table t -> {
                List<String> lines = new ArrayList<>();
                lines.add(t.template().render(header(fields)));
                for (Map<String, ?> r : display) {
                    lines.add(t.template().render(r));
                }
                out.print(TabWriter.align(lines));
            }
        }
        out.flush();
    }

    /** Each field's column header: {@code DesiredState} is {@code DESIRED STATE}, {@code ID} stays. */
    static Map<String, String> header(List<String> fields) {
        Map<String, String> h = new LinkedHashMap<>();
        fields.forEach(k -> h.put(k, headerOf(k)));
        return h;
    }

    static String headerOf(String key) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean wordStart = i > 0 && Character.isUpperCase(c) && (Character.isLowerCase(key.charAt(i - 1))
                    || (i + 1 < key.length() && Character.isLowerCase(key.charAt(i + 1)) && Character.isUpperCase(key.charAt(i - 1))));
            if (wordStart) {
                sb.append(' ');
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }
}
