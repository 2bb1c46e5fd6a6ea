package io.shoal.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.IPAMConfig;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.Network;
import io.shoal.api.NetworkSpec;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.cli.output.InspectFormat;
import io.shoal.cli.output.ListFormat;
import io.shoal.cli.output.Table;
import io.shoal.dockermodel.NetworkJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Overlay networks: made and removed through the managers; addresses come from the store. */
@Command(name = "network", mixinStandardHelpOptions = true, description = "Manage overlay networks.",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Inspect.class, NetworkCommand.Rm.class})
public final class NetworkCommand implements Runnable {
    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required: create, ls, inspect or rm");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an overlay network (subnet from the cluster's default address pool unless given).")
    static final class Create extends ClientCommand {
        @Option(names = {"-d", "--driver"}, description = "overlay (the only driver).") String driver = "overlay";
        @Option(names = "--subnet", description = "Subnet, e.g. 10.20.0.0/24.") String subnet;
        @Option(names = "--gateway", description = "Gateway address in the subnet (default: its first address).") String gateway;
        @Option(names = "--attachable", description = "Let standalone containers attach (recorded; no effect yet).") boolean attachable;
        @Option(names = "--internal", description = "No route out of the network.") boolean internal;
        @Option(names = "--label", description = "Network label K=V (repeatable).") List<String> labels = new ArrayList<>();
        @Option(names = {"-o", "--opt"}, paramLabel = "KEY[=VALUE]",
                description = "Driver option (repeatable): encrypted (any value) seals traffic between nodes.")
        List<String> opts = new ArrayList<>();
        @Parameters(paramLabel = "NAME") String name;

        @Override
        protected int execute() {
            if (gateway != null && subnet == null) {
                throw usage("--gateway needs --subnet");
            }
            NetworkSpec.Builder spec = NetworkSpec.newBuilder().setDriver(driver).setAttachable(attachable).setInternal(internal);
            spec.getAnnotationsBuilder().setName(name);
            for (String l : labels) {
                int eq = l.indexOf('=');
                if (eq <= 0) {
                    throw usage("--label: '" + l + "' must be KEY=VALUE");
                }
                spec.getAnnotationsBuilder().putLabels(l.substring(0, eq), l.substring(eq + 1));
            }
            for (String o : opts) {
                String key = o.contains("=") ? o.substring(0, o.indexOf('=')) : o;
                if (!key.equals("encrypted")) {
                    throw usage("--opt: '" + key + "' is not an option of the overlay driver; the only one is encrypted");
                }
                spec.setEncrypted(true); // as Docker: the option, whatever its value, turns encryption on
            }
            if (subnet != null) {
                spec.addIpam(IPAMConfig.newBuilder().setSubnet(subnet).setGateway(gateway == null ? "" : gateway));
            }
            Network n = control().createNetwork(CreateNetworkRequest.newBuilder().setSpec(spec).build());
            out().println(n.getId());
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List networks.")
    static final class Ls extends ClientCommand {
        static final List<String> FIELDS = List.of("ID", "Name", "Driver", "Scope", "Subnet", "Internal");

        @Mixin FormatOptions fmt;

        @Override
        protected int execute() {
            ListFormat format = fmt.listFormat();
            List<Network> networks = new ArrayList<>(control().listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList());
            networks.sort(Comparator.comparing(n -> n.getSpec().getAnnotations().getName()));
            if (fmt.quiet) {
                networks.forEach(n -> out().println(n.getId()));
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table t = new Table("NETWORK ID", "NAME", "DRIVER", "SCOPE", "SUBNET");
            for (Network n : networks) {
                String subnet = n.getIpamCount() > 0 ? n.getIpam(0).getSubnet() : "";
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ID", n.getId());
                m.put("Name", n.getSpec().getAnnotations().getName());
                m.put("Driver", n.getSpec().getDriver());
                m.put("Scope", "swarm");
                m.put("Subnet", subnet);
                m.put("Internal", n.getSpec().getInternal());
                rows.add(m);
                t.row(n.getId().substring(0, 12), n.getSpec().getAnnotations().getName(), n.getSpec().getDriver(), "swarm", subnet);
            }
            if (format instanceof ListFormat.Default) {
                t.print(out());
            } else {
                format.print(out(), FIELDS, rows, rows.stream().map(r -> Rows.with(r, "ID", Rows.shortId((String) r.get("ID")))).toList());
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Show networks in detail: Docker's JSON shape (default) or a Go template (--format).")
    static final class Inspect extends ClientCommand {
        @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
                description = "json (default), or a Go template run on each network, e.g. '{{range .IPAM.Config}}{{.Subnet}}{{end}}'.")
        String format = "";
        @Parameters(arity = "1..*", paramLabel = "NETWORK") List<String> refs;

        @Override
        protected int execute() {
            InspectFormat f = InspectFormat.parse(format);
            List<ObjectNode> out = new ArrayList<>();
            for (String ref : refs) {
                out.add(NetworkJson.write(control().getNetwork(GetNetworkRequest.newBuilder().setNetwork(ref).build())));
            }
            f.print(out(), out);
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove networks no service uses.")
    static final class Rm extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "NETWORK") List<String> refs;

        @Override
        protected int execute() {
            for (String ref : refs) {
                control().removeNetwork(RemoveNetworkRequest.newBuilder().setNetwork(ref).build());
                out().println(ref);
            }
            return 0;
        }
    }
}
