package io.shoal.cli.commands;

import io.grpc.StatusRuntimeException;
import io.shoal.api.ContainerSpec;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.Network;
import io.shoal.api.NetworkSpec;
import io.shoal.api.PortConfig;
import io.shoal.api.RemoveNetworkRequest;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.compose.Namespace;
import io.shoal.compose.Project;
import io.shoal.compose.StackPlan;
import io.shoal.compose.StackTranslator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@code shoal stack deploy}: makes the cluster hold what the compose files declare. Everything that
 * can be checked is checked before anything changes (the files, external objects, names and ports
 * taken outside the stack, secrets and configs: {@link StackFileObjects}); then, in Docker's order,
 * the stack's services no longer in the files are removed with {@code --prune}, secrets, configs and
 * networks created, services created or updated (an update whose spec did not change changes
 * nothing: the managers compare). If a create fails half-way, what this run created is removed
 * again, so a refused deployment leaves the cluster as it was.
 */
@Command(name = "deploy", aliases = "up", mixinStandardHelpOptions = true,
        description = "Deploy a new stack or update an existing one from compose files.")
final class StackDeploy extends ClientCommand {
    @Option(names = {"-c", "--compose-file"}, required = true, description = "A compose file, or - for standard input (repeatable; later files merge over earlier ones).")
    List<String> composeFiles = new ArrayList<>();
    @Option(names = "--prune", description = "Remove the stack's services that are no longer in the files.") boolean prune;
    @Option(names = "--resolve-image", description = "Pin images to the digest their tag names in the registry: always "
            + "(each deploy asks again), changed (only new services and changed images), never.")
    String resolveImage = "always";
    @Option(names = "--with-registry-auth", description = "Send this client's registry credentials (docker config.json) to the nodes that pull the images.")
    boolean withRegistryAuth;
    @Option(names = {"-d", "--detach"}, arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Return once the stack is accepted (default); --detach=false waits until every service converged.")
    boolean detach;
    @Parameters(paramLabel = "STACK") String stack;

    @Override
    protected int execute() throws Exception {
        if (!Set.of("always", "changed", "never").contains(resolveImage)) {
            throw usage("--resolve-image: '" + resolveImage + "' is not one of always, changed, never");
        }
        Project project = ComposeFiles.load(composeFiles, System.in, err());
        StackPlan plan = StackTranslator.plan(project, stack);
        List<ServiceSpec> specs = new ArrayList<>(plan.services());
        if (withRegistryAuth) {
            for (int i = 0; i < specs.size(); i++) {
                ContainerSpec.Builder c = specs.get(i).getTask().getContainer().toBuilder();
                ServiceFlags.registryAuth(c, spec.commandLine());
                specs.set(i, specs.get(i).toBuilder().setTask(specs.get(i).getTask().toBuilder().setContainer(c)).build());
            }
        }
        Map<String, Service> services = control().listServices(ListServicesRequest.getDefaultInstance()).getServicesList()
                .stream().collect(Collectors.toMap(s -> s.getSpec().getAnnotations().getName(), Function.identity()));
        Map<String, Network> networks = control().listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList()
                .stream().collect(Collectors.toMap(n -> n.getSpec().getAnnotations().getName(), Function.identity(), (a, b) -> a));
        PinnedImages pins = PinnedImages.of(this);
        specs.replaceAll(s -> image(s, services.get(s.getAnnotations().getName()), pins));
        StackFileObjects files = new StackFileObjects(control());
        preflight(plan, specs, services, networks);
        files.check(plan, stack);

        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            if (prune) {
                Set<String> wanted = specs.stream().map(s -> s.getAnnotations().getName()).collect(Collectors.toSet());
                for (Service s : services.values()) {
                    if (StackCommand.inStack(s, stack) && !wanted.contains(s.getSpec().getAnnotations().getName())) {
                        out().println("Removing service " + s.getSpec().getAnnotations().getName());
                        control().removeService(RemoveServiceRequest.newBuilder().setService(s.getId()).build());
                    }
                }
            }
            files.create(plan, out(), undo);
            for (NetworkSpec n : plan.networks()) {
                if (!networks.containsKey(n.getAnnotations().getName())) {
                    out().println("Creating network " + n.getAnnotations().getName());
                    Network made = control().createNetwork(CreateNetworkRequest.newBuilder().setSpec(n).build());
                    undo.push(() -> control().removeNetwork(RemoveNetworkRequest.newBuilder().setNetwork(made.getId()).build()));
                }
            }
            List<Service> deployed = new ArrayList<>();
            for (ServiceSpec s : specs) {
                String name = s.getAnnotations().getName();
                Service cur = services.get(name);
                if (cur == null) {
                    out().println("Creating service " + name);
                    Service made = control().createService(CreateServiceRequest.newBuilder().setSpec(s).build());
                    undo.push(() -> control().removeService(RemoveServiceRequest.newBuilder().setService(made.getId()).build()));
                    deployed.add(made);
                } else {
                    out().println("Updating service " + name + " (id: " + cur.getId() + ")");
                    deployed.add(control().updateService(UpdateServiceRequest.newBuilder().setService(cur.getId())
                            .setSpec(keepServerSide(s, cur.getSpec())).setVersion(cur.getMeta().getVersion()).build()));
                }
            }
            undo.clear();
            pins.printWarnings();
            if (detach) {
                return 0;
            }
            int rc = 0;
            for (Service s : deployed) {
                out().println(s.getSpec().getAnnotations().getName() + ":");
                rc = Math.max(rc, ServiceCommand.await(this, s));
            }
            return rc;
        } catch (StatusRuntimeException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (StatusRuntimeException ignored) {
                    // best effort: the first error is the one to report
                }
            }
            throw e;
        }
    }

    /**
     * The image a service is deployed with, as docker's {@code --resolve-image} decides: pinned to
     * the registry's digest (always; changed: for a new service or an image the file changed), or
     * the current service's pinned image while the file names the same one (never, changed, and
     * always when the registry cannot be asked), so that a redeploy does not replace every task
     * only because the digest was not asked for again.
     */
    private ServiceSpec image(ServiceSpec next, Service cur, PinnedImages pins) {
        String written = next.getTask().getContainer().getImage();
        String current = cur == null ? null : cur.getSpec().getTask().getContainer().getImage();
        boolean same = cur != null && written.equals(cur.getSpec().getAnnotations().getLabelsMap().get(Namespace.IMAGE_LABEL));
        String unresolved = same ? current : written;
        boolean ask = switch (resolveImage) {
            case "always" -> true;
            case "changed" -> !same;
            default -> false;
        };
        if (ask) {
            return pins.pin(next, unresolved);
        }
        ServiceSpec.Builder b = next.toBuilder();
        b.getTaskBuilder().getContainerBuilder().setImage(unresolved);
        return b.build();
    }

    /**
     * What a stack file does not say and a redeploy must not change: the force-update counter (as
     * Docker keeps it), the stop-tasks-after-disconnect limit (no compose key sets it) and, without
     * --with-registry-auth, the credentials stored with the service.
     */
    private ServiceSpec keepServerSide(ServiceSpec next, ServiceSpec cur) {
        ServiceSpec.Builder b = next.toBuilder();
        b.getTaskBuilder().setForceUpdate(cur.getTask().getForceUpdate())
                .setStopAfterDisconnectMs(cur.getTask().getStopAfterDisconnectMs());
        if (!withRegistryAuth) {
            // presence counts in a spec's equality: an empty message set is a change
            var c = b.getTaskBuilder().getContainerBuilder();
            if (cur.getTask().getContainer().hasPullOptions()) {
                c.setPullOptions(cur.getTask().getContainer().getPullOptions());
            } else {
                c.clearPullOptions();
            }
        }
        return b.build();
    }

    /** Refuses, before anything changes, a deployment the cluster would refuse half-way. */
    private void preflight(StackPlan plan, List<ServiceSpec> specs, Map<String, Service> services, Map<String, Network> networks) {
        for (String n : plan.externalNetworks()) {
            if (!networks.containsKey(n)) {
                throw new IllegalStateException("network \"" + n + "\" is declared as external, but could not be found. "
                        + "You need to create a swarm-scoped network before the stack is deployed");
            }
        }
        for (NetworkSpec n : plan.networks()) {
            Network have = networks.get(n.getAnnotations().getName());
            if (have != null && !StackCommand.inStack(have, stack)) {
                throw new IllegalStateException("network " + n.getAnnotations().getName() + " exists outside stack " + stack
                        + " (declare it external: true to use it)");
            }
        }
        Map<String, String> portOwners = new HashMap<>();
        for (Service s : services.values()) {
            if (!StackCommand.inStack(s, stack)) {
                for (PortConfig p : s.getEndpoint().getPortsList()) {
                    portOwners.put(p.getPublishedPort() + "/" + p.getProtocol(), s.getSpec().getAnnotations().getName());
                }
            }
        }
        for (ServiceSpec s : specs) {
            String name = s.getAnnotations().getName();
            Service cur = services.get(name);
            if (cur != null && !StackCommand.inStack(cur, stack)) {
                throw new IllegalStateException("service " + name + " exists and is not part of stack " + stack + "; remove it or use another stack name");
            }
            for (PortConfig p : s.getEndpoint().getPortsList()) {
                String owner = portOwners.get(p.getPublishedPort() + "/" + p.getProtocol());
                if (p.getPublishedPort() != 0 && owner != null) {
                    throw new IllegalStateException("service " + name + ": port " + p.getPublishedPort() + "/"
                            + p.getProtocol().name().toLowerCase() + " is already in use by service " + owner);
                }
            }
        }
    }
}
