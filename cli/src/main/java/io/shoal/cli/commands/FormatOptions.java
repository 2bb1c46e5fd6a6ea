package io.shoal.cli.commands;

import io.shoal.cli.output.ListFormat;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code --format} and {@code -q}, shared by listing commands. */
public final class FormatOptions {
    @Option(names = "--format", paramLabel = "FORMAT",
            description = "table (default), json (one JSON array), a Go template such as '{{.ID}} {{.Name}}' or '{{json .}}' "
                    + "(one line per row), or 'table' and a template ('table {{.Name}}\\t{{.Image}}': aligned, with a header).")
    String format = "table";

    @Option(names = {"-q", "--quiet"}, description = "Only print ids.")
    boolean quiet;

    /** The format, its template parsed: a malformed one is bad usage (exit 2) before anything is asked of the daemon. */
    ListFormat listFormat() {
        return ListFormat.parse(format);
    }

    /** For listings that print only a table or JSON: whether JSON was asked for; a template is refused (exit 2). */
    boolean json(CommandLine cmd) {
        return switch (listFormat()) {
            case ListFormat.JsonArray j -> true;
            case ListFormat.Default d -> false;
            default -> throw new CommandLine.ParameterException(cmd, "--format: '" + format + "' is not supported here; use json or table");
        };
    }
}
