package io.shoal.cli.template;

import java.util.List;

/**
 * A parsed --format template. {@link #parse} refuses a malformed one (unclosed action, unknown
 * function, stray {@code end}); {@link #render} runs it on one value.
 */
public final class Template {
    private final List<Node> nodes;
    private final boolean strict;

    private Template(List<Node> nodes, boolean strict) {
        this.nodes = nodes;
        this.strict = strict;
    }

    /**
     * @param strict a field the data does not have is an error (listings, whose rows all have the
     *               same fields, so a missing one is a typo) rather than empty (inspect, where
     *               Docker's JSON leaves out empty fields)
     */
    public static Template parse(String text, boolean strict) {
        return new Template(Parser.parse(text, Funcs.NAMES), strict);
    }

    /** Runs the template on {@code data} (JSON, or maps and lists). */
    public String render(Object data) {
        StringBuilder sb = new StringBuilder();
        new Exec(sb, strict ? Exec.MissingKey.ERROR : Exec.MissingKey.ZERO).run(nodes, data);
        return sb.toString();
    }
}
