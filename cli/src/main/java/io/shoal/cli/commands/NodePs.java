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

/** {@code node ps [NODE...]}: the tasks on one or more nodes (this one by default), finished ones included. */
@Command(name = "ps", mixinStandardHelpOptions = true,
        description = "List the tasks on one or more nodes (default: self, the node this daemon runs), including finished ones.")
final class NodePs extends ClientCommand {
    @Mixin FormatOptions fmt;
    @Option(names = "--no-trunc", description = "Do not shorten ids and errors.") boolean noTrunc;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "id=PREFIX, name=NAME, node=ID|HOSTNAME, desired-state=running|shutdown|accepted, label=KEY[=VALUE], "
                    + "service=ID|NAME (repeatable).")
    List<String> filters = new ArrayList<>();
    @Parameters(arity = "0..*", paramLabel = "NODE", description = "An id, unique id prefix, hostname, or self.")
    List<String> nodes = new ArrayList<>();

    @Override
    protected int execute() {
        ListFormat format = fmt.listFormat();
        Filters f = ListFilters.tasks(Filters.args(filters, ListFilters.TASK_KEYS));
        List<String> refs = nodes.isEmpty() ? List.of("self") : nodes;
        TaskListing l = TaskListing.of(refs, ref -> control().listTasks(TaskListing.byNode(node(ref)))).filter(f);
        if (l.missing().size() < refs.size()) {
            l.print(out(), format, fmt.quiet, noTrunc);
        }
        l.missing().forEach(m -> err().println("Error: " + m));
        return l.missing().isEmpty() ? 0 : 1;
    }
}
