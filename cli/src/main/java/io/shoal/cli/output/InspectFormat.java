package io.shoal.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.shoal.cli.template.Template;
import io.shoal.dockermodel.Json;

import java.io.PrintWriter;
import java.util.List;

/**
 * What an inspect command prints, from its {@code --format}: Docker's JSON shapes in an array laid
 * out as {@code docker inspect} lays it out (default, or {@code json}), or a Go template run on
 * each object, one line each. A field Docker's JSON leaves out (empty) is empty in a template, as
 * on Docker's typed objects.
 */
public final class InspectFormat {
    private final Template template;

    private InspectFormat(Template template) {
        this.template = template;
    }

    /** Parsed before anything is asked of the daemon: a malformed template is bad usage (exit 2). */
    public static InspectFormat parse(String format) {
        if (format == null || format.isEmpty() || format.equals("json")) {
            return new InspectFormat(null);
        }
        return new InspectFormat(Template.parse(format.replace("\\t", "\t").replace("\\n", "\n"), false));
    }

    public boolean isTemplate() {
        return template != null;
    }

    public void print(PrintWriter out, List<? extends JsonNode> objects) {
        if (template == null) {
            ArrayNode a = Json.array();
            objects.forEach(a::add);
            out.println(Json.pretty(a));
        } else {
            for (JsonNode o : objects) {
                out.println(template.render(o));
            }
        }
        out.flush();
    }
}
