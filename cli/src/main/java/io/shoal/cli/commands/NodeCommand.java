package io.shoal.cli.commands;

import io.shoal.api.ListNodesRequest;
import io.shoal.api.LocalInfoRequest;
import io.shoal.api.Node;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeView;
import io.shoal.api.RemoveNodeRequest;
import io.shoal.api.UpdateNodeRequest;
import io.shoal.cli.output.ListFormat;
import io.shoal.cli.output.Table;
import io.shoal.dockermodel.Filters;
import io.shoal.dockermodel.ListFilters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "node", mixinStandardHelpOptions = true, description = "Manage the cluster's nodes.",
        subcommands = {NodeCommand.Ls.class, NodeInspect.class, NodePs.class, NodeCommand.Update.class,
                NodeCommand.Promote.class, NodeCommand.Demote.class, NodeCommand.Rm.class})
public final class NodeCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a node command is required (ls, inspect, ps, update, promote, demote, rm)");
    }

    static String status(Node n) {
        return switch (n.getStatus().getState()) {
            case READY -> "Ready";
            case DOWN, DISCONNECTED -> "Down";
            default -> "Unknown";
        };
    }

    static String availability(Node n) {
        return switch (n.getSpec().getAvailability()) {
            case NODE_AVAILABILITY_PAUSE -> "Pause";
            case NODE_AVAILABILITY_DRAIN -> "Drain";
            default -> "Active";
        };
    }

    /** The Shoal version the node's daemon reported; nodes of releases before versions were reported show none. */
    static String engineVersion(Node n) {
        String v = n.getDescription().getEngineVersion();
        return v.isEmpty() ? "-" : v;
    }

    static String managerStatus(NodeView v) {
        return switch (v.getManagerReachability()) {
            case LEADER -> "Leader";
            case REACHABLE -> "Reachable";
            case UNREACHABLE -> "Unreachable";
            default -> "";
        };
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
            description = "List nodes: ID, HOSTNAME, STATUS, AVAILABILITY, MANAGER STATUS, ADDRESS, ENGINE VERSION "
                    + "(and TLSStatus in --format: Ready, Needs Rotation or Expired).")
    static final class Ls extends ClientCommand {
        static final List<String> FIELDS = List.of("ID", "Hostname", "Status", "Availability", "ManagerStatus", "Address", "EngineVersion",
                "Role", "Self", "Labels", "TLSStatus");

        @Mixin
        FormatOptions fmt;

        @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
                description = "id=PREFIX, name=HOSTNAME-PREFIX, role=manager|worker, membership=accepted|pending, "
                        + "node.label=KEY[=VALUE] (the node's labels), label=KEY[=VALUE] (its daemon's) (repeatable).")
        List<String> filters = new ArrayList<>();

        @Override
        protected int execute() {
            ListFormat format = fmt.listFormat();
            Filters f = ListFilters.nodes(Filters.args(filters, ListFilters.NODE_KEYS));
            List<NodeView> nodes = new ArrayList<>(control().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .filter(v -> ListFilters.matches(f, v.getNode())).toList());
            // by hostname, then id; plain lambdas, which the AOT cache holds (Comparator.comparing's are
            // serializable, so they were spun at every run)
            nodes.sort((a, b) -> {
                int c = a.getNode().getDescription().getHostname().compareTo(b.getNode().getDescription().getHostname());
                return c != 0 ? c : a.getNode().getId().compareTo(b.getNode().getId());
            });
            String self = "";
            try {
                self = local(5).info(LocalInfoRequest.getDefaultInstance()).getNodeId();
            } catch (RuntimeException ignored) {
                // over tcp:// there may be no LocalNode service; then no node is marked
            }
            if (fmt.quiet) {
                nodes.forEach(v -> out().println(v.getNode().getId()));
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table t = new Table("ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ADDRESS", "ENGINE VERSION");
            for (NodeView v : nodes) {
                Node n = v.getNode();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ID", n.getId());
                m.put("Hostname", n.getDescription().getHostname());
                m.put("Status", status(n));
                m.put("Availability", availability(n));
                m.put("ManagerStatus", managerStatus(v));
                m.put("Address", n.getStatus().getAddr());
                m.put("EngineVersion", n.getDescription().getEngineVersion());
                m.put("Role", n.getRole() == NodeRole.NODE_ROLE_MANAGER ? "manager" : "worker");
                m.put("Self", n.getId().equals(self));
                m.put("Labels", n.getSpec().getAnnotations().getLabelsMap());
                m.put("TLSStatus", v.getTlsStatus());
                rows.add(m);
                t.row(n.getId() + (n.getId().equals(self) ? " *" : ""), n.getDescription().getHostname(), status(n),
                        availability(n), managerStatus(v), n.getStatus().getAddr(), engineVersion(n));
            }
            if (format instanceof ListFormat.Default) {
                t.print(out());
            } else {
                format.print(out(), FIELDS, rows, rows);
            }
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a node's availability or labels.")
    static final class Update extends ClientCommand {
        @Option(names = "--availability", paramLabel = "active|pause|drain", description = "Whether the node takes tasks.")
        String availability;

        @Option(names = "--label-add", paramLabel = "KEY=VALUE", description = "Add or change a label (repeatable).")
        List<String> labelAdd = new ArrayList<>();

        @Option(names = "--label-rm", paramLabel = "KEY", description = "Remove a label (repeatable).")
        List<String> labelRm = new ArrayList<>();

        @Parameters(paramLabel = "NODE")
        String ref;

        @Override
        protected int execute() {
            UpdateNodeRequest.Builder b = UpdateNodeRequest.newBuilder().setNode(ref);
            if (availability != null) {
                b.setSetAvailability(true).setAvailability(switch (availability) {
                    case "active" -> NodeAvailability.NODE_AVAILABILITY_ACTIVE;
                    case "pause" -> NodeAvailability.NODE_AVAILABILITY_PAUSE;
                    case "drain" -> NodeAvailability.NODE_AVAILABILITY_DRAIN;
                    default -> throw usage("--availability: '" + availability + "' is not one of active, pause, drain");
                });
            }
            for (String kv : labelAdd) {
                int eq = kv.indexOf('=');
                if (eq == 0) {
                    throw usage("--label-add: '" + kv + "' has no key");
                }
                b.putLabelAdd(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
            b.addAllLabelRm(labelRm);
            out().println(control().updateNode(b.build()).getNode().getId());
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Make workers managers.")
    static final class Promote extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "NODE")
        List<String> refs;

        @Override
        protected int execute() {
            for (String ref : refs) {
                control().updateNode(UpdateNodeRequest.newBuilder().setNode(ref).setSetRole(true)
                        .setRole(NodeRole.NODE_ROLE_MANAGER).build());
                out().printf("Node %s promoted to a manager in the cluster.%n", ref);
            }
            return 0;
        }
    }

    @Command(name = "demote", mixinStandardHelpOptions = true, description = "Make managers workers.")
    static final class Demote extends ClientCommand {
        @Option(names = {"-f", "--force"}, description = "Demote even if the remaining reachable managers are no majority.")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "NODE")
        List<String> refs;

        @Override
        protected int execute() {
            for (String ref : refs) {
                control().updateNode(UpdateNodeRequest.newBuilder().setNode(ref).setSetRole(true)
                        .setRole(NodeRole.NODE_ROLE_WORKER).setForce(force).build());
                out().printf("Manager %s demoted in the cluster.%n", ref);
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove nodes from the cluster.")
    static final class Rm extends ClientCommand {
        @Option(names = {"-f", "--force"}, description = "Remove a node that is not down.")
        boolean force;

        @Parameters(arity = "1..*", paramLabel = "NODE")
        List<String> refs;

        @Override
        protected int execute() {
            for (String ref : refs) {
                out().println(control().removeNode(RemoveNodeRequest.newBuilder().setNode(ref).setForce(force).build()).getNodeId());
            }
            return 0;
        }
    }
}
