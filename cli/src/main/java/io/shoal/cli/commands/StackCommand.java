package io.shoal.cli.commands;

import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.Network;
import io.shoal.api.PortConfig;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.cli.output.Json;
import io.shoal.cli.output.Table;
import io.shoal.cli.output.Units;
import io.shoal.compose.Namespace;
import io.shoal.compose.Project;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code shoal stack}: applications declared in compose files, as {@code docker stack}. A stack is
 * the services, networks, secrets and configs labelled {@code com.docker.stack.namespace=STACK}.
 */
@Command(name = "stack", mixinStandardHelpOptions = true, description = "Manage stacks (applications from compose files).",
        subcommands = {StackDeploy.class, StackCommand.Ls.class, StackCommand.Services.class, StackCommand.Ps.class,
                StackCommand.Rm.class, StackCommand.Config.class})
public final class StackCommand implements Runnable {
    /** How long {@code stack rm} waits for a network's task endpoints to go before it gives up on the network. */
    private static final Duration NETWORK_RM_WAIT = Duration.ofSeconds(60);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: deploy, ls, services, ps, rm or config");
    }

    static boolean inStack(Service s, String stack) {
        return stack.equals(s.getSpec().getAnnotations().getLabelsMap().get(Namespace.LABEL));
    }

    static boolean inStack(Network n, String stack) {
        return stack.equals(n.getSpec().getAnnotations().getLabelsMap().get(Namespace.LABEL));
    }

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List stacks.")
    static final class Ls extends ClientCommand {
        @Mixin FormatOptions fmt;

        @Override
        protected int execute() {
            boolean json = fmt.json(spec.commandLine());
            Map<String, Integer> stacks = new TreeMap<>();
            for (Service s : control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList()) {
                String ns = s.getSpec().getAnnotations().getLabelsMap().get(Namespace.LABEL);
                if (ns != null) {
                    stacks.merge(ns, 1, Integer::sum);
                }
            }
            if (fmt.quiet) {
                stacks.keySet().forEach(out()::println);
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table t = new Table("NAME", "SERVICES");
            stacks.forEach((name, n) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("Name", name);
                m.put("Services", String.valueOf(n));
                rows.add(m);
                t.row(name, String.valueOf(n));
            });
            if (json) {
                Json.print(out(), rows);
            } else {
                t.print(out());
            }
            return 0;
        }
    }

    @Command(name = "services", mixinStandardHelpOptions = true, description = "List the services of a stack.")
    static final class Services extends ClientCommand {
        @Mixin FormatOptions fmt;
        @Parameters(paramLabel = "STACK") String stack;

        @Override
        protected int execute() {
            boolean json = fmt.json(spec.commandLine());
            ListServicesResponse r = control().listServices(ListServicesRequest.getDefaultInstance());
            List<Service> services = new ArrayList<>(r.getServicesList().stream().filter(s -> inStack(s, stack)).toList());
            services.sort(Comparator.comparing(s -> s.getSpec().getAnnotations().getName()));
            if (services.isEmpty()) {
                err().println("Nothing found in stack: " + stack);
                return 0;
            }
            if (fmt.quiet) {
                services.forEach(s -> out().println(s.getId()));
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table t = new Table("ID", "NAME", "MODE", "REPLICAS", "IMAGE", "PORTS");
            for (Service s : services) {
                String replicas = r.getRunningOrDefault(s.getId(), 0) + "/" + r.getDesiredOrDefault(s.getId(), 0);
                if (s.getSpec().hasReplicatedJob() || s.getSpec().hasGlobalJob()) {
                    replicas += " (" + r.getCompletedOrDefault(s.getId(), 0) + "/" + r.getDesiredOrDefault(s.getId(), 0) + " completed)";
                }
                long maxPerNode = s.getSpec().getTask().getPlacement().getMaxReplicas();
                if (maxPerNode > 0 && s.getSpec().hasReplicated()) {
                    replicas += " (max " + maxPerNode + " per node)";
                }
                String mode = ServiceFlags.modeName(s.getSpec());
                String image = s.getSpec().getTask().getContainer().getImage();
                String ports = ServiceFlags.portsText(s.getEndpoint().getPortsList());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ID", s.getId());
                m.put("Name", s.getSpec().getAnnotations().getName());
                m.put("Mode", mode);
                m.put("Replicas", replicas);
                m.put("Image", image);
                m.put("Ports", ports);
                rows.add(m);
                t.row(s.getId().substring(0, 12), s.getSpec().getAnnotations().getName(), mode, replicas, image, ports);
            }
            if (json) {
                Json.print(out(), rows);
            } else {
                t.print(out());
            }
            return 0;
        }
    }

    @Command(name = "ps", mixinStandardHelpOptions = true, description = "List the tasks of a stack, finished ones included.")
    static final class Ps extends ClientCommand {
        @Mixin FormatOptions fmt;
        @Option(names = "--no-trunc", description = "Do not shorten ids and errors.") boolean noTrunc;
        @Option(names = {"-f", "--filter"}, description = "desired-state=running|shutdown") List<String> filters = new ArrayList<>();
        @Parameters(paramLabel = "STACK") String stack;

        @Override
        protected int execute() {
            boolean json = fmt.json(spec.commandLine());
            String desired = null;
            for (String f : filters) {
                if (!f.startsWith("desired-state=")) {
                    throw usage("--filter: '" + f + "' is not supported; use desired-state=running|shutdown");
                }
                desired = f.substring("desired-state=".length());
            }
            List<Service> services = control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList()
                    .stream().filter(s -> inStack(s, stack)).sorted(Comparator.comparing(s -> s.getSpec().getAnnotations().getName())).toList();
            if (services.isEmpty()) {
                err().println("Nothing found in stack: " + stack);
                return 0;
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table table = new Table("ID", "NAME", "IMAGE", "NODE", "DESIRED STATE", "CURRENT STATE", "ERROR", "PORTS");
            for (Service s : services) {
                ListTasksResponse r = control().listTasks(ListTasksRequest.newBuilder().setService(s.getId()).build());
                List<Task> tasks = new ArrayList<>(r.getTasksList());
                String want = desired;
                if (want != null) {
                    tasks.removeIf(t -> !ServiceCommand.state(t.getDesiredState()).equalsIgnoreCase(want));
                }
                tasks.sort(Comparator.comparingLong(Task::getSlot).thenComparing(Task::getNodeId)
                        .thenComparing(Comparator.comparingLong((Task t) -> t.getMeta().getVersion()).reversed()));
                long prevSlot = -1;
                for (Task t : tasks) {
                    if (fmt.quiet) {
                        out().println(t.getId());
                        continue;
                    }
                    String name = s.getSpec().getAnnotations().getName() + "." + t.getSlot();
                    String current = ServiceCommand.state(t.getStatus().getState()) + " "
                            + Units.ago(Duration.between(Instant.ofEpochMilli(t.getStatus().getTimestampMs()), Instant.now()));
                    String err = t.getStatus().getErr();
                    String node = r.getNodeHostnamesOrDefault(t.getNodeId(), "");
                    String ports = ServiceFlags.portsText(t.getEndpoint().getPortsList().stream()
                            .filter(p -> p.getPublishMode() == PortConfig.PublishMode.HOST).toList());
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("ID", t.getId());
                    m.put("Name", name);
                    m.put("Image", t.getSpec().getContainer().getImage());
                    m.put("Node", node);
                    m.put("DesiredState", ServiceCommand.state(t.getDesiredState()));
                    m.put("CurrentState", current);
                    m.put("Error", err);
                    m.put("Ports", ports);
                    rows.add(m);
                    boolean history = t.getSlot() == prevSlot;
                    prevSlot = t.getSlot();
                    table.row(noTrunc ? t.getId() : t.getId().substring(0, Math.min(12, t.getId().length())),
                            (history ? " \\_ " : "") + name, t.getSpec().getContainer().getImage(), node,
                            ServiceCommand.state(t.getDesiredState()), current,
                            noTrunc || err.length() <= 60 ? err : err.substring(0, 57) + "...", ports);
                }
            }
            if (fmt.quiet) {
                return 0;
            }
            if (json) {
                Json.print(out(), rows);
            } else {
                table.print(out());
            }
            return 0;
        }
    }

    @Command(name = "rm", aliases = {"remove", "down"}, mixinStandardHelpOptions = true,
            description = "Remove stacks: their services, secrets, configs and networks (never external ones).")
    static final class Rm extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "STACK") List<String> stacks;

        @Override
        protected int execute() throws InterruptedException {
            int rc = 0;
            for (String stack : stacks) {
                List<Service> services = control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList()
                        .stream().filter(s -> inStack(s, stack)).sorted(Comparator.comparing(s -> s.getSpec().getAnnotations().getName())).toList();
                List<Network> networks = control().listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList()
                        .stream().filter(n -> inStack(n, stack)).sorted(Comparator.comparing(n -> n.getSpec().getAnnotations().getName())).toList();
                StackFileObjects files = new StackFileObjects(control());
                if (services.isEmpty() && networks.isEmpty() && !files.any(stack)) {
                    err().println("Nothing found in stack: " + stack);
                    continue;
                }
                for (Service s : services) {
                    out().println("Removing service " + s.getSpec().getAnnotations().getName());
                    control().removeService(RemoveServiceRequest.newBuilder().setService(s.getId()).build());
                }
                files.remove(stack, out());
                for (Network n : networks) {
                    out().println("Removing network " + n.getSpec().getAnnotations().getName());
                    if (!removeNetwork(n)) {
                        rc = 1;
                    }
                }
            }
            return rc;
        }

        /** Removes a network once the removed services' tasks let go of it (they stop first). */
        private boolean removeNetwork(Network n) throws InterruptedException {
            long deadline = System.nanoTime() + NETWORK_RM_WAIT.toNanos();
            while (true) {
                try {
                    control().removeNetwork(RemoveNetworkRequest.newBuilder().setNetwork(n.getId()).build());
                    return true;
                } catch (StatusRuntimeException e) {
                    String d = String.valueOf(e.getStatus().getDescription());
                    if (!d.contains("task endpoints") && !d.contains("in use") || System.nanoTime() > deadline) {
                        err().println("Failed to remove network " + n.getSpec().getAnnotations().getName() + ": " + d);
                        return false;
                    }
                }
                Thread.sleep(200);
            }
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true,
            description = "Print the merged, interpolated compose files (as stack deploy would read them).")
    static final class Config implements Callable<Integer> {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;
        @Option(names = {"-c", "--compose-file"}, required = true, description = "A compose file, or - for standard input (repeatable).")
        List<String> files = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Project p = ComposeFiles.load(files, System.in, spec.commandLine().getErr());
            spec.commandLine().getOut().print(p.toYaml());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
