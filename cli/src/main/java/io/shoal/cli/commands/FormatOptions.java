package io.shoal.cli.commands;

import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code --format json} and {@code -q}, shared by listing and inspect commands. */
public final class FormatOptions {
    @Option(names = "--format", description = "Output format: table (default) or json.")
    String format = "table";

    @Option(names = {"-q", "--quiet"}, description = "Only print ids.")
    boolean quiet;

    boolean json(CommandLine cmd) {
        if (format.equals("json")) {
            return true;
        }
        if (!format.equals("table")) {
            throw new CommandLine.ParameterException(cmd, "--format: '" + format + "' is not supported; use json or table");
        }
        return false;
    }
}
