package io.shoal.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.Network;
import io.shoal.api.Service;
import io.shoal.cli.output.InspectFormat;
import io.shoal.dockermodel.ServiceJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code service inspect}: services in Docker's JSON shape, a template's output, or {@code --pretty} text. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show services in detail: Docker's JSON shape (default), a Go template (--format), or text for people (--pretty).")
final class ServiceInspect extends ClientCommand {
    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
            description = "json (default), or a Go template run on each service, e.g. '{{.Spec.Mode.Replicated.Replicas}}'.")
    String format = "";
    @Option(names = "--pretty", description = "Print the information in a human friendly format.") boolean pretty;
    @Parameters(arity = "1..*", paramLabel = "SERVICE") List<String> refs;

    @Override
    protected int execute() {
        if (pretty && !format.isEmpty()) {
            throw usage("--format is incompatible with --pretty");
        }
        InspectFormat f = InspectFormat.parse(format);
        List<Network> networks = control().listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList();
        String ingress = networks.stream().filter(n -> n.getSpec().getIngress()).map(Network::getId).findFirst().orElse(null);
        Map<String, String> networkNames = networks.stream()
                .collect(Collectors.toMap(Network::getId, n -> n.getSpec().getAnnotations().getName()));
        List<ObjectNode> out = new ArrayList<>();
        for (String ref : refs) {
            Service s = control().getService(GetServiceRequest.newBuilder().setService(ref).build());
            out.add(ServiceJson.write(s, ingress, null));
        }
        if (pretty) {
            out.forEach(s -> out().print(ServicePretty.text(s, networkNames)));
            out().flush();
        } else {
            f.print(out(), out);
        }
        return 0;
    }
}
