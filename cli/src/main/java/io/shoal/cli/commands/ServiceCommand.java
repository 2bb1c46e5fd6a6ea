package io.shoal.cli.commands;

import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.LogLine;
import io.shoal.api.RemoveServiceRequest;
import io.shoal.api.Service;
import io.shoal.api.ServiceLogsRequest;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateServiceRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

@Command(name = "service", mixinStandardHelpOptions = true, description = "Manage services.",
        subcommands = {ServiceCommand.Create.class, ServiceLs.class, ServicePs.class, ServiceInspect.class,
                ServiceCommand.Scale.class, ServiceCommand.Update.class, ServiceCommand.Rollback.class, ServiceCommand.Rm.class,
                ServiceCommand.Logs.class})
public final class ServiceCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a service command is required (create, ls, ps, inspect, scale, update, rollback, rm, logs)");
    }

    static String state(TaskState s) {
        String n = s.name().substring("TASK_STATE_".length()).toLowerCase();
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }

    /**
     * Waits until the service converged, showing its progress ({@link ServiceWait}): 0 once it did,
     * 1 with the reason when it will not.
     */
    static int await(ClientCommand cmd, Service service) throws InterruptedException {
        return ServiceWait.await(cmd, service, false);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a service.")
    static final class Create extends ClientCommand {
        @Mixin ServiceFlags flags;
        @Option(names = {"-d", "--detach"}, description = "Return once the service is accepted.") boolean detach;
        @Parameters(index = "0", paramLabel = "IMAGE") String image;
        @Parameters(index = "1..*", paramLabel = "COMMAND", description = "Command and arguments.") List<String> args = new ArrayList<>();

        @Override
        protected int execute() throws Exception {
            ServiceSpec spec = flags.apply(ServiceSpec.getDefaultInstance(), image, args, spec().commandLine());
            PinnedImages pins = PinnedImages.of(this);
            if (!flags.noResolveImage) {
                spec = pins.pin(spec, spec.getTask().getContainer().getImage());
            }
            Service s = control().createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
            pins.printWarnings();
            out().println(s.getId());
            if (detach) {
                return 0;
            }
            return await(this, s);
        }

        private CommandLine.Model.CommandSpec spec() {
            return spec;
        }
    }

    @Command(name = "scale", mixinStandardHelpOptions = true, description = "Set replica counts: SERVICE=N ...")
    static final class Scale extends ClientCommand {
        @Option(names = {"-d", "--detach"}, description = "Do not wait for convergence.") boolean detach;
        @Parameters(arity = "1..*", paramLabel = "SERVICE=N") List<String> pairs;

        @Override
        protected int execute() throws Exception {
            int rc = 0;
            for (String p : pairs) {
                int eq = p.lastIndexOf('=');
                long n;
                try {
                    n = Long.parseLong(p.substring(eq + 1));
                    if (eq <= 0 || n < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    throw usage("'" + p + "' must be SERVICE=N with N >= 0");
                }
                Service s = control().getService(GetServiceRequest.newBuilder().setService(p.substring(0, eq)).build());
                ServiceSpec spec;
                if (s.getSpec().hasReplicated()) {
                    spec = s.getSpec().toBuilder().setReplicated(s.getSpec().getReplicated().toBuilder().setReplicas(n)).build();
                } else if (s.getSpec().hasReplicatedJob()) {
                    spec = s.getSpec().toBuilder().setReplicatedJob(s.getSpec().getReplicatedJob().toBuilder().setTotalCompletions(n)).build();
                } else {
                    err().println("Error: " + p.substring(0, eq) + ": scale can only be used with replicated or replicated-job mode");
                    rc = 1;
                    continue;
                }
                Service u = control().updateService(UpdateServiceRequest.newBuilder().setService(s.getId()).setSpec(spec)
                        .setVersion(s.getMeta().getVersion()).build());
                out().printf("%s scaled to %d%n", p.substring(0, eq), n);
                if (!detach) {
                    rc = Math.max(rc, await(this, u));
                }
            }
            return rc;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change a service; its tasks are replaced as its update config says (--update-*).")
    static final class Update extends ClientCommand {
        @Mixin ServiceFlags flags;
        @Mixin UpdateFlags edits;
        @Option(names = "--image", description = "New image.") String image;
        @Option(names = "--rollback", description = "Back to the previous spec (with the rollback config); no other flag goes with it.") boolean rollback;
        @Option(names = {"-d", "--detach"}, description = "Do not wait for convergence.") boolean detach;
        @Parameters(paramLabel = "SERVICE") String ref;

        @Override
        protected int execute() throws Exception {
            if (rollback) {
                boolean others = spec.commandLine().getParseResult().matchedOptions().stream()
                        .anyMatch(o -> !o.longestName().equals("--rollback") && !o.longestName().equals("--detach"));
                if (others) {
                    throw usage("other flags may not be combined with --rollback");
                }
                return ServiceCommand.rollBack(this, ref, detach);
            }
            if (flags.name != null) {
                throw usage("--name: a service cannot be renamed; remove it and create it again under the new name");
            }
            if (flags.mode != null) {
                throw usage("--mode: a service's mode cannot change; remove it and create it again");
            }
            flags.updateConfig.check(spec.commandLine());
            edits.check(spec.commandLine());
            Service s = control().getService(GetServiceRequest.newBuilder().setService(ref).build());
            ServiceSpec next = flags.apply(s.getSpec(), image, null, spec.commandLine());
            PinnedImages pins = PinnedImages.of(this);
            if (image != null && !flags.noResolveImage) { // a new image is pinned; the current one stays as it is
                next = pins.pin(next, image);
            }
            next = edits.apply(next, name -> control().getNetwork(GetNetworkRequest.newBuilder().setNetwork(name).build()).getId(),
                    spec.commandLine());
            Service u = control().updateService(UpdateServiceRequest.newBuilder().setService(s.getId()).setSpec(next)
                    .setVersion(s.getMeta().getVersion()).build());
            pins.printWarnings();
            out().println(u.getId());
            return detach ? 0 : ServiceWait.await(this, u, false);
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true,
            description = "Return a service to its previous spec, rolled out with its rollback config (--rollback-*).")
    static final class Rollback extends ClientCommand {
        @Option(names = {"-d", "--detach"}, description = "Do not wait for convergence.") boolean detach;
        @Parameters(paramLabel = "SERVICE") String ref;

        @Override
        protected int execute() throws Exception {
            return rollBack(this, ref, detach);
        }
    }

    /** `service rollback` and `service update --rollback`. */
    static int rollBack(ClientCommand cmd, String ref, boolean detach) throws InterruptedException {
        Service s = cmd.control().getService(GetServiceRequest.newBuilder().setService(ref).build());
        Service u = cmd.control().updateService(UpdateServiceRequest.newBuilder().setService(s.getId()).setRollback(true)
                .setVersion(s.getMeta().getVersion()).build());
        cmd.out().println(u.getId());
        return detach ? 0 : ServiceWait.await(cmd, u, true);
    }

    @Command(name = "logs", mixinStandardHelpOptions = true,
            description = "Show the output of a service's or task's containers, from every node that ran them.")
    static final class Logs extends ClientCommand {
        @Option(names = {"-f", "--follow"}, description = "Keep printing new output.") boolean follow;
        @Option(names = {"-n", "--tail"}, description = "Lines from the end of each task's log (default: all).") String tail = "all";
        @Option(names = {"-t", "--timestamps"}, description = "Show the time of each line.") boolean timestamps;
        @Parameters(paramLabel = "SERVICE|TASK") String target;

        @Override
        protected int execute() {
            long n;
            try {
                n = tail.equals("all") ? 0 : Long.parseLong(tail);
                if (n < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw usage("--tail: '" + tail + "' must be a number of lines or 'all'");
            }
            var stub = ControlGrpc.newBlockingStub(channel());
            var it = (follow ? stub : stub.withDeadlineAfter(60, TimeUnit.SECONDS))
                    .serviceLogs(ServiceLogsRequest.newBuilder().setTarget(target).setFollow(follow).setTail(n).build());
            while (it.hasNext()) {
                LogLine l = it.next();
                String who = l.getTaskName() + "." + l.getTaskId().substring(0, Math.min(12, l.getTaskId().length())) + "@" + l.getNode();
                out().println((timestamps ? Instant.ofEpochMilli(l.getTimeMs()) + " " : "") + who + "    | " + l.getText());
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true, description = "Remove services.")
    static final class Rm extends ClientCommand {
        @Parameters(arity = "1..*", paramLabel = "SERVICE") List<String> refs;

        @Override
        protected int execute() {
            for (String ref : refs) {
                control().removeService(RemoveServiceRequest.newBuilder().setService(ref).build());
                out().println(ref);
            }
            return 0;
        }
    }
}
