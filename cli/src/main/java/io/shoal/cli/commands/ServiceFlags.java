package io.shoal.cli.commands;

import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.EndpointSpec;
import io.shoal.api.GlobalJob;
import io.shoal.api.GlobalService;
import io.shoal.api.HealthConfig;
import io.shoal.api.Mount;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.Placement;
import io.shoal.api.PlacementPreference;
import io.shoal.api.PortConfig;
import io.shoal.api.PullOptions;
import io.shoal.api.ReplicatedJob;
import io.shoal.api.ReplicatedService;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.RestartPolicy;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.cli.output.Units;
import io.shoal.distribution.DockerConfig;
import io.shoal.distribution.ImageRef;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The flags `service create` and `service update` share, and how they become a ServiceSpec. */
public final class ServiceFlags {
    @Option(names = "--name", description = "Service name.") String name;
    @Option(names = "--replicas", description = "Number of tasks.") Long replicas;
    @Option(names = "--mode", description = "replicated (default), global, replicated-job or global-job.") String mode;
    @Option(names = "--max-concurrent", description = "Job tasks to run at once (replicated-job; default: --replicas).") Long maxConcurrent;
    @Option(names = {"-e", "--env"}, description = "Environment variable K=V (repeatable).") List<String> env = new ArrayList<>();
    @Option(names = {"-w", "--workdir"}, description = "Working directory in the container.") String workdir;
    @Option(names = {"-u", "--user"}, description = "uid[:gid] or user name.") String user;
    @Option(names = "--hostname", description = "Container hostname.") String hostname;
    @Option(names = "--entrypoint", description = "Overwrite the image's ENTRYPOINT.") String entrypoint;
    @Option(names = "--mount", description = "type=bind|volume|tmpfs,source=..,target=..[,readonly][,tmpfs-size=S] (repeatable). A volume is created on first use on each node and kept; without a source it is the task's own.") List<String> mounts = new ArrayList<>();
    @Option(names = "--network", description = "Attach to this overlay network (repeatable).") List<String> networks = new ArrayList<>();
    @Option(names = {"-p", "--publish"}, description = "Publish a port: [mode=ingress|host,]published=P,target=T[,protocol=tcp|udp], "
            + "or P:T[/udp], or T alone (a free port from 30000-32767). Ingress ports answer on every node (repeatable; "
            + "on update, adds or replaces the port with the same published port).") List<String> publish = new ArrayList<>();
    @Option(names = "--publish-rm", description = "update: stop publishing this target port (TARGET[/udp], repeatable).") List<String> publishRm = new ArrayList<>();
    @Option(names = "--endpoint-mode", description = "vip (default) or dnsrr.") String endpointMode;
    @Option(names = "--constraint", description = "Placement constraint, e.g. node.labels.zone==a (repeatable).") List<String> constraints = new ArrayList<>();
    @Option(names = "--placement-pref", description = "spread=node.labels.KEY (repeatable).") List<String> prefs = new ArrayList<>();
    @Option(names = "--replicas-max-per-node", description = "At most N tasks per node.") Long maxPerNode;
    @Option(names = "--reserve-cpu", description = "CPUs to reserve, e.g. 0.5.") String reserveCpu;
    @Option(names = "--reserve-memory", description = "Memory to reserve, e.g. 64M.") String reserveMemory;
    @Option(names = "--limit-cpu", description = "CPU limit, e.g. 1.5.") String limitCpu;
    @Option(names = "--limit-memory", description = "Memory limit, e.g. 128M.") String limitMemory;
    @Option(names = "--limit-pids", description = "Process limit.") Long limitPids;
    @Option(names = "--restart-condition", description = "none, on-failure or any (default any).") String restartCondition;
    @Option(names = "--restart-delay", description = "Wait between restarts (default 5s).") String restartDelay;
    @Option(names = "--restart-max-attempts", description = "At most N restarts per slot.") Long restartMax;
    @Option(names = "--restart-window", description = "Window used to evaluate the restart policy.") String restartWindow;
    @Option(names = "--stop-signal", description = "Signal that stops the container (default SIGTERM).") String stopSignal;
    @Option(names = "--stop-grace-period", description = "Time before SIGKILL (default 10s).") String stopGrace;
    @Option(names = "--stop-tasks-after-disconnect", description = "Stop a task on its worker once that worker has reached "
            + "no manager for this long, so that its replacement never runs beside it (0: never, the default).") String stopAfterDisconnect;
    @Option(names = "--label", description = "Service label K=V (repeatable).") List<String> labels = new ArrayList<>();
    @Option(names = "--health-cmd", description = "Command run inside the container (by /bin/sh -c) to check its health.") String healthCmd;
    @Option(names = "--health-interval", description = "Time between health checks (default 30s).") String healthInterval;
    @Option(names = "--health-timeout", description = "Time a health check may take (default 30s).") String healthTimeout;
    @Option(names = "--health-retries", description = "Failures in a row that make the container unhealthy (default 3).") Integer healthRetries;
    @Option(names = "--health-start-period", description = "Time after the start during which failures do not count.") String healthStartPeriod;
    @Option(names = "--no-resolve-image", description = "Do not pin the image to the digest its tag names in the registry "
            + "(each node then resolves the tag when it pulls).") boolean noResolveImage;
    @Option(names = "--with-registry-auth", description = "Send this client's registry credentials for the image "
            + "(from $DOCKER_CONFIG/config.json or ~/.docker/config.json) to the nodes that pull it.") boolean withRegistryAuth;
    @Option(names = "--no-healthcheck", description = "Disable any health check, including the image's.") boolean noHealthcheck;
    @Mixin SecretConfigFlags files = new SecretConfigFlags();
    @Mixin UpdateConfigFlags updateConfig = new UpdateConfigFlags();

    /** Applies the flags that were given to {@code base} (a new spec, or the current one for update). */
    ServiceSpec apply(ServiceSpec base, String image, List<String> args, CommandLine cmd) {
        ServiceSpec.Builder s = base.toBuilder();
        TaskSpec.Builder task = s.getTaskBuilder();
        ContainerSpec.Builder c = task.getContainerBuilder();
        if (name != null) {
            s.setAnnotations(s.getAnnotations().toBuilder().setName(name));
        }
        for (String l : labels) {
            String[] kv = kv(l, "--label", cmd);
            s.setAnnotations(s.getAnnotationsBuilder().putLabels(kv[0], kv[1]).build());
        }
        if (replicas != null && replicas < 0) {
            throw new CommandLine.ParameterException(cmd, "--replicas: must be 0 or more, not " + replicas);
        }
        if (maxConcurrent != null && maxConcurrent < 1) {
            throw new CommandLine.ParameterException(cmd, "--max-concurrent: must be 1 or more, not " + maxConcurrent);
        }
        if (mode != null) {
            if (base.getModeCase() != ServiceSpec.ModeCase.MODE_NOT_SET && !mode.equals(modeName(base))) {
                throw new CommandLine.ParameterException(cmd, "--mode: a service's mode cannot change (it is " + modeName(base) + ")");
            }
            switch (mode) {
                case "replicated" -> s.setReplicated(ReplicatedService.newBuilder().setReplicas(replicas == null ? 1 : replicas));
                case "global" -> s.setGlobal(GlobalService.getDefaultInstance());
                case "replicated-job" -> s.setReplicatedJob(ReplicatedJob.newBuilder()
                        .setTotalCompletions(replicas == null ? 1 : replicas)
                        .setMaxConcurrent(maxConcurrent != null ? maxConcurrent : replicas == null ? 1 : replicas));
                case "global-job" -> s.setGlobalJob(GlobalJob.getDefaultInstance());
                default -> throw new CommandLine.ParameterException(cmd, "--mode: '" + mode
                        + "' is not one of replicated, global, replicated-job, global-job");
            }
        }
        String effective = mode != null ? mode : modeName(base);
        if (replicas != null && (effective.equals("global") || effective.equals("global-job"))) {
            throw new CommandLine.ParameterException(cmd, "--replicas: a " + effective + " service runs one task per node; it takes no replica count");
        }
        if (maxConcurrent != null && !effective.equals("replicated-job")) {
            throw new CommandLine.ParameterException(cmd, "--max-concurrent: only for --mode replicated-job");
        }
        if (mode == null && replicas != null) {
            if (effective.equals("replicated-job")) {
                s.setReplicatedJob(s.getReplicatedJob().toBuilder().setTotalCompletions(replicas));
            } else {
                s.setReplicated(ReplicatedService.newBuilder().setReplicas(replicas));
            }
        }
        if (mode == null && maxConcurrent != null) {
            s.setReplicatedJob(s.getReplicatedJob().toBuilder().setMaxConcurrent(maxConcurrent));
        }
        if (image != null) {
            c.setImage(image);
        }
        if (args != null && !args.isEmpty()) {
            c.clearArgs().addAllArgs(args);
        }
        if (entrypoint != null) {
            c.clearCommand().addAllCommand(List.of(entrypoint.trim().split("\\s+")));
        }
        for (String e : env) {
            if (!e.contains("=") || e.startsWith("=")) {
                throw new CommandLine.ParameterException(cmd, "--env: '" + e + "' must be KEY=VALUE");
            }
        }
        if (!env.isEmpty()) {
            c.clearEnv().addAllEnv(UpdateFlags.env(base.getTask().getContainer().getEnvList(), List.of(), env, cmd)); // one entry per key
        }
        if (workdir != null) c.setDir(workdir);
        if (user != null) c.setUser(user);
        if (hostname != null) c.setHostname(hostname);
        if (!mounts.isEmpty()) {
            c.clearMounts().addAllMounts(UpdateFlags.mounts(base.getTask().getContainer().getMountsList(), List.of(), mounts, cmd));
        }
        if (stopSignal != null) c.setStopSignal(stopSignal.startsWith("SIG") ? stopSignal : "SIG" + stopSignal);
        if (stopGrace != null) c.setStopGracePeriodMs(duration(stopGrace, "--stop-grace-period", cmd)).setHasStopGracePeriod(true);
        if (stopAfterDisconnect != null) {
            task.setStopAfterDisconnectMs(notNegative(stopAfterDisconnect, "--stop-tasks-after-disconnect", cmd));
        }
        Placement.Builder p = task.getPlacementBuilder();
        constraints.stream().filter(x -> !p.getConstraintsList().contains(x)).distinct().forEach(p::addConstraints);
        for (String pref : prefs) {
            if (!pref.startsWith("spread=")) {
                throw new CommandLine.ParameterException(cmd, "--placement-pref: '" + pref + "' must be spread=node.labels.KEY");
            }
            p.addPreferences(PlacementPreference.newBuilder().setSpreadDescriptor(pref.substring(7)));
        }
        if (maxPerNode != null) p.setMaxReplicas(maxPerNode);
        ResourceRequirements.Builder r = task.getResourcesBuilder();
        Resources.Builder lim = r.getLimitsBuilder();
        Resources.Builder res = r.getReservationsBuilder();
        if (reserveCpu != null) res.setNanoCpus(cpus(reserveCpu, "--reserve-cpu", cmd));
        if (limitCpu != null) lim.setNanoCpus(cpus(limitCpu, "--limit-cpu", cmd));
        if (reserveMemory != null) res.setMemoryBytes(bytes(reserveMemory, "--reserve-memory", cmd));
        if (limitMemory != null) lim.setMemoryBytes(bytes(limitMemory, "--limit-memory", cmd));
        if (limitPids != null) lim.setPids(limitPids);
        RestartPolicy.Builder rp = task.getRestartBuilder();
        if (restartCondition != null) {
            rp.setCondition(switch (restartCondition) {
                case "none" -> RestartPolicy.Condition.NONE;
                case "on-failure" -> RestartPolicy.Condition.ON_FAILURE;
                case "any" -> RestartPolicy.Condition.ANY;
                default -> throw new CommandLine.ParameterException(cmd, "--restart-condition: '" + restartCondition
                        + "' is not one of none, on-failure, any");
            });
        }
        if (restartDelay != null) rp.setDelayMs(duration(restartDelay, "--restart-delay", cmd)).setDelaySet(true);
        if (restartMax != null) rp.setMaxAttempts(restartMax);
        if (restartWindow != null) rp.setWindowMs(duration(restartWindow, "--restart-window", cmd));
        for (String n : networks) {
            if (n.isBlank()) {
                throw new CommandLine.ParameterException(cmd, "--network: a network name is required");
            }
            if (task.getNetworksList().stream().noneMatch(x -> x.getTarget().equals(n))) {
                task.addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(n));
            }
        }
        for (String rm : publishRm) {
            PortConfig gone = port("target=" + rm.replace("/", ",protocol="), "--publish-rm", cmd);
            List<PortConfig> kept = s.getEndpoint().getPortsList().stream()
                    .filter(x -> x.getTargetPort() != gone.getTargetPort() || x.getProtocol() != gone.getProtocol()).toList();
            s.getEndpointBuilder().clearPorts().addAllPorts(kept);
        }
        Set<String> given = new HashSet<>();
        for (String pub : publish) {
            PortConfig port = port(pub, "--publish", cmd);
            if (port.getPublishedPort() != 0 && !given.add(port.getPublishedPort() + "/" + port.getProtocol())) {
                throw new CommandLine.ParameterException(cmd, "--publish: port " + port.getPublishedPort() + "/"
                        + port.getProtocol().name().toLowerCase() + " is given twice");
            }
            publish(s, port);
        }
        if (endpointMode != null) {
            s.getEndpointBuilder().setMode(switch (endpointMode) {
                case "vip" -> EndpointSpec.ResolutionMode.VIP;
                case "dnsrr" -> EndpointSpec.ResolutionMode.DNSRR;
                default -> throw new CommandLine.ParameterException(cmd, "--endpoint-mode: '" + endpointMode + "' is not vip or dnsrr");
            });
        }
        health(c, cmd);
        files.apply(c, cmd);
        updateConfig.apply(s, cmd);
        if (withRegistryAuth) {
            registryAuth(c, cmd);
        }
        keepAbsent(base.getTask(), task);
        return s.build();
    }

    /**
     * Leaves unset the parts of the task spec that no flag set and {@code base} did not have
     * (reaching a builder sets an empty part): an empty part is another spec to the managers,
     * and an update that, say, only adds a label must not replace every task.
     */
    private static void keepAbsent(TaskSpec base, TaskSpec.Builder task) {
        ResourceRequirements.Builder r = task.getResourcesBuilder();
        if (!base.getResources().hasLimits() && r.getLimits().equals(Resources.getDefaultInstance())) {
            r.clearLimits();
        }
        if (!base.getResources().hasReservations() && r.getReservations().equals(Resources.getDefaultInstance())) {
            r.clearReservations();
        }
        if (!base.hasResources() && r.build().equals(ResourceRequirements.getDefaultInstance())) {
            task.clearResources();
        }
        if (!base.hasRestart() && task.getRestart().equals(RestartPolicy.getDefaultInstance())) {
            task.clearRestart();
        }
        if (!base.hasPlacement() && task.getPlacement().equals(Placement.getDefaultInstance())) {
            task.clearPlacement();
        }
    }

    /** Publishes {@code port}, in place of a port with the same published port (or, for a dynamic one, the same target). */
    static void publish(ServiceSpec.Builder s, PortConfig port) {
        List<PortConfig> kept = s.getEndpoint().getPortsList().stream()
                .filter(x -> !(x.getProtocol() == port.getProtocol() && (port.getPublishedPort() != 0
                        ? x.getPublishedPort() == port.getPublishedPort()
                        : x.getPublishedPort() == 0 && x.getTargetPort() == port.getTargetPort()))).toList();
        s.getEndpointBuilder().clearPorts().addAllPorts(kept).addPorts(port);
    }

    /** The mode as the CLI names it ("replicated" for a spec that names none yet). */
    static String modeName(ServiceSpec s) {
        return switch (s.getModeCase()) {
            case GLOBAL -> "global";
            case REPLICATED_JOB -> "replicated-job";
            case GLOBAL_JOB -> "global-job";
            default -> "replicated";
        };
    }

    /** Where the client keeps registry credentials, as the docker CLI does. */
    static Path clientDockerConfig() {
        String dir = System.getenv("DOCKER_CONFIG");
        return dir != null && !dir.isEmpty() ? Path.of(dir, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
    }

    static void registryAuth(ContainerSpec.Builder c, CommandLine cmd) {
        String registry;
        try {
            registry = ImageRef.parse(c.getImage()).registry();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "--with-registry-auth: " + e.getMessage());
        }
        Path file = clientDockerConfig();
        try {
            var creds = new DockerConfig(file).lookup(registry).orElseThrow(() ->
                    new CommandLine.ParameterException(cmd, "--with-registry-auth: " + file + " holds no credentials for " + registry));
            c.setPullOptions(PullOptions.newBuilder().setRegistryAuth(creds.auth()));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cmd, "--with-registry-auth: " + e.getMessage());
        }
    }

    /** The health check flags, stored in Docker's canonical form (CMD-SHELL line, or NONE). */
    private void health(ContainerSpec.Builder c, CommandLine cmd) {
        boolean tuning = healthInterval != null || healthTimeout != null || healthRetries != null || healthStartPeriod != null;
        if (noHealthcheck) {
            if (healthCmd != null || tuning) {
                throw new CommandLine.ParameterException(cmd, "--no-healthcheck conflicts with the other --health-* options");
            }
            c.setHealthcheck(HealthConfig.newBuilder().addTest("NONE"));
            return;
        }
        if (healthCmd == null && !tuning) {
            return;
        }
        HealthConfig.Builder h = c.getHealthcheckBuilder();
        if (healthCmd != null) {
            if (healthCmd.isBlank()) {
                throw new CommandLine.ParameterException(cmd, "--health-cmd: must not be empty");
            }
            h.clearTest().addTest("CMD-SHELL").addTest(healthCmd);
        }
        if (healthInterval != null) h.setIntervalMs(positive(healthInterval, "--health-interval", cmd));
        if (healthTimeout != null) h.setTimeoutMs(positive(healthTimeout, "--health-timeout", cmd));
        if (healthStartPeriod != null) h.setStartPeriodMs(duration(healthStartPeriod, "--health-start-period", cmd));
        if (healthRetries != null) {
            if (healthRetries < 1) {
                throw new CommandLine.ParameterException(cmd, "--health-retries: must be 1 or more, not " + healthRetries);
            }
            h.setRetries(healthRetries);
        }
    }

    private static long notNegative(String v, String flag, CommandLine cmd) {
        if (v.startsWith("-")) {
            throw new CommandLine.ParameterException(cmd, flag + ": must not be negative, not '" + v + "' (0 means never)");
        }
        return duration(v, flag, cmd);
    }

    private static long positive(String v, String flag, CommandLine cmd) {
        long ms = duration(v, flag, cmd);
        if (ms < 1) {
            throw new CommandLine.ParameterException(cmd, flag + ": must be more than 0, not '" + v + "'");
        }
        return ms;
    }

    private static String[] kv(String s, String flag, CommandLine cmd) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
            throw new CommandLine.ParameterException(cmd, flag + ": '" + s + "' must be KEY=VALUE");
        }
        return new String[] {s.substring(0, eq), s.substring(eq + 1)};
    }

    static long duration(String v, String flag, CommandLine cmd) {
        try {
            return Units.duration(v).toMillis();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, flag + ": " + e.getMessage());
        }
    }

    static long bytes(String v, String flag, CommandLine cmd) {
        try {
            return Units.bytes(v);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, flag + ": " + e.getMessage());
        }
    }

    static long cpus(String v, String flag, CommandLine cmd) {
        try {
            BigDecimal d = new BigDecimal(v);
            if (d.signum() < 0) {
                throw new NumberFormatException();
            }
            return d.multiply(BigDecimal.valueOf(1_000_000_000L)).longValue();
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cmd, flag + ": '" + v + "' is not a number of CPUs, e.g. 0.5");
        }
    }

    /** One --publish value: the long form (key=value,...), P:T[/proto], or a bare target port. */
    static PortConfig port(String v, String flag, CommandLine cmd) {
        PortConfig.Builder p = PortConfig.newBuilder();
        if (v.contains("=")) {
            for (String part : v.split(",")) {
                String[] kv = part.split("=", 2);
                String val = kv.length == 2 ? kv[1].trim() : "";
                switch (kv[0].trim()) {
                    case "published" -> p.setPublishedPort(portNumber(val, flag, "published", cmd));
                    case "target" -> p.setTargetPort(portNumber(val, flag, "target", cmd));
                    case "protocol" -> p.setProtocol(protocol(val, flag, cmd));
                    case "mode" -> p.setPublishMode(switch (val) {
                        case "ingress" -> PortConfig.PublishMode.INGRESS;
                        case "host" -> PortConfig.PublishMode.HOST;
                        default -> throw new CommandLine.ParameterException(cmd, flag + ": mode '" + val + "' is not ingress or host");
                    });
                    default -> throw new CommandLine.ParameterException(cmd, flag + ": unknown key '" + kv[0].trim()
                            + "' in '" + v + "' (use published, target, protocol, mode)");
                }
            }
        } else {
            String ports = v;
            int slash = v.indexOf('/');
            if (slash >= 0) {
                p.setProtocol(protocol(v.substring(slash + 1), flag, cmd));
                ports = v.substring(0, slash);
            }
            int colon = ports.indexOf(':');
            if (colon >= 0) {
                p.setPublishedPort(portNumber(ports.substring(0, colon), flag, "published", cmd));
                p.setTargetPort(portNumber(ports.substring(colon + 1), flag, "target", cmd));
            } else {
                p.setTargetPort(portNumber(ports, flag, "target", cmd));
            }
        }
        if (p.getTargetPort() == 0) {
            throw new CommandLine.ParameterException(cmd, flag + ": '" + v + "' names no target port (target=PORT)");
        }
        return p.build();
    }

    private static int portNumber(String v, String flag, String what, CommandLine cmd) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new CommandLine.ParameterException(cmd, flag + ": " + what + " port '" + v + "' is not a number in 1-65535");
    }

    private static PortConfig.Protocol protocol(String v, String flag, CommandLine cmd) {
        return switch (v.trim().toLowerCase()) {
            case "tcp" -> PortConfig.Protocol.TCP;
            case "udp" -> PortConfig.Protocol.UDP;
            default -> throw new CommandLine.ParameterException(cmd, flag + ": protocol '" + v + "' is not tcp or udp");
        };
    }

    /** "*:8080->80/tcp" per port, as `docker service ls` shows them (host-mode ports without the "*"). */
    public static String portsText(List<PortConfig> ports) {
        List<String> out = new ArrayList<>();
        for (PortConfig p : ports) {
            out.add((p.getPublishMode() == PortConfig.PublishMode.INGRESS ? "*:" : "")
                    + p.getPublishedPort() + "->" + p.getTargetPort() + "/" + p.getProtocol().name().toLowerCase());
        }
        return String.join(", ", out);
    }

    static Mount mount(String spec, CommandLine cmd) {
        Mount.Builder m = Mount.newBuilder();
        for (String part : spec.split(",")) {
            String[] kv = part.split("=", 2);
            String v = kv.length > 1 ? kv[1] : "";
            switch (kv[0]) {
                case "type" -> m.setType(switch (v) {
                    case "bind" -> Mount.Type.BIND;
                    case "volume" -> Mount.Type.VOLUME;
                    case "tmpfs" -> Mount.Type.TMPFS;
                    default -> throw new CommandLine.ParameterException(cmd, "--mount: type '" + v + "' is not bind, volume or tmpfs");
                });
                case "source", "src" -> m.setSource(v);
                case "target", "dst", "destination" -> m.setTarget(v);
                case "readonly", "ro" -> m.setReadOnly(v.isEmpty() || v.equals("true") || v.equals("1"));
                case "tmpfs-size" -> m.setTmpfsSizeBytes(bytes(v, "--mount tmpfs-size", cmd));
                default -> throw new CommandLine.ParameterException(cmd, "--mount: unknown field '" + kv[0] + "'");
            }
        }
        if (m.getTarget().isEmpty()) {
            throw new CommandLine.ParameterException(cmd, "--mount: target= is required");
        }
        return m.build();
    }
}
