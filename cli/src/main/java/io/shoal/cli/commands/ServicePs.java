package io.shoal.cli.commands;

import io.shoal.cli.output.ListFormat;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.ListFilters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code service ps SERVICE...}: the tasks of one or more services, finished ones included. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List the tasks of one or more services, including finished ones.")
final class ServicePs extends ClientCommand {
    @Mixin FormatOptions fmt;
    @Option(names = "--no-trunc", description = "Do not shorten ids and errors.") boolean noTrunc;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "id=PREFIX, name=NAME (e.g. web.1), node=ID|HOSTNAME, desired-state=running|shutdown|accepted, "
                    + "label=KEY[=VALUE], service=ID|NAME (repeatable).")
    List<String> filters = new ArrayList<>();
    @Parameters(arity = "1..*", paramLabel = "SERVICE") List<String> services;

    @Override
    protected int execute() {
        ListFormat format = fmt.listFormat();
        Filters f = ListFilters.tasks(Filters.args(filters, ListFilters.TASK_KEYS));
        TaskListing l = TaskListing.of(services, ref -> control().listTasks(TaskListing.byService(ref))).filter(f);
        if (l.missing().size() < services.size()) {
            l.print(out(), format, fmt.quiet, noTrunc);
        }
        l.missing().forEach(m -> err().println("Error: " + m));
        return l.missing().isEmpty() ? 0 : 1;
    }
}
