package io.shoal.cli.commands;

import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.Service;
import io.shoal.cli.output.ListFormat;
import io.shoal.cli.output.Table;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.ListFilters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code service ls}: ID NAME MODE REPLICAS IMAGE PORTS, with docker's filters and formats. */
@Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List services.")
final class ServiceLs extends ClientCommand {
    static final List<String> FIELDS = List.of("ID", "Name", "Mode", "Replicas", "Image", "Ports");

    @Mixin FormatOptions fmt;
    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "id=PREFIX, name=PREFIX, label=KEY[=VALUE], mode=replicated|global|replicated-job|global-job (repeatable).")
    List<String> filters = new ArrayList<>();

    @Override
    protected int execute() {
        ListFormat format = fmt.listFormat();
        Filters f = ListFilters.services(Filters.args(filters, ListFilters.SERVICE_KEYS));
        ListServicesResponse r = control().listServices(ListServicesRequest.getDefaultInstance());
        List<Service> services = new ArrayList<>(r.getServicesList().stream().filter(s -> ListFilters.matches(f, s)).toList());
        // a plain lambda: Comparator.comparing's is serializable, which the AOT cache does not hold, so
        // it was spun (with its class-file generator) at every run
        services.sort((a, b) -> a.getSpec().getAnnotations().getName().compareTo(b.getSpec().getAnnotations().getName()));
        if (fmt.quiet) {
            services.forEach(s -> out().println(s.getId()));
            return 0;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> display = new ArrayList<>();
        Table t = new Table("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS");
        for (Service s : services) {
            String replicas = r.getRunningOrDefault(s.getId(), 0) + "/" + r.getDesiredOrDefault(s.getId(), 0);
            String mode = ServiceFlags.modeName(s.getSpec());
            if (s.getSpec().hasReplicatedJob() || s.getSpec().hasGlobalJob()) {
                replicas += " (" + r.getCompletedOrDefault(s.getId(), 0) + "/" + r.getDesiredOrDefault(s.getId(), 0) + " completed)";
            }
            String ports = ServiceFlags.portsText(s.getEndpoint().getPortsList());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ID", s.getId());
            m.put("Name", s.getSpec().getAnnotations().getName());
            m.put("Mode", mode);
            m.put("Replicas", replicas);
            m.put("Image", s.getSpec().getTask().getContainer().getImage());
            m.put("Ports", ports);
            rows.add(m);
            // templates and the table show the tag without its pinned digest, as docker's; JSON keeps it
            String image = PinnedImages.shown(s.getSpec().getTask().getContainer().getImage());
            display.add(Rows.with(Rows.with(m, "ID", Rows.shortId(s.getId())), "Image", image));
            t.row(Rows.shortId(s.getId()), s.getSpec().getAnnotations().getName(), mode, replicas, image, ports);
        }
        if (format instanceof ListFormat.Default) {
            t.print(out());
        } else {
            format.print(out(), FIELDS, rows, display);
        }
        return 0;
    }
}
