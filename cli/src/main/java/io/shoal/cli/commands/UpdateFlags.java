package io.shoal.cli.commands;

import io.shoal.api.ContainerSpec;
import io.shoal.api.Mount;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.Placement;
import io.shoal.api.PlacementPreference;
import io.shoal.api.PortConfig;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The add/remove flags of {@code service update}, with docker's semantics: an {@code -add} of a key
 * that exists replaces it (one entry per env key, label key, mount target), an {@code -rm} takes
 * it away, removals first. Removing what is not there is refused for mounts (a mistyped target
 * would otherwise go unnoticed) and networks, as docker refuses adding a network twice.
 */
public final class UpdateFlags {
    @Option(names = "--env-add", description = "Add or replace an environment variable K=V (repeatable).") List<String> envAdd = new ArrayList<>();
    @Option(names = "--env-rm", description = "Remove an environment variable by its key (repeatable).") List<String> envRm = new ArrayList<>();
    @Option(names = "--label-add", description = "Add or replace a service label K=V (repeatable).") List<String> labelAdd = new ArrayList<>();
    @Option(names = "--label-rm", description = "Remove a service label by its key (repeatable).") List<String> labelRm = new ArrayList<>();
    @Option(names = "--constraint-add", description = "Add a placement constraint (repeatable).") List<String> constraintAdd = new ArrayList<>();
    @Option(names = "--constraint-rm", description = "Remove a placement constraint (repeatable).") List<String> constraintRm = new ArrayList<>();
    @Option(names = "--placement-pref-add", description = "Add a placement preference spread=node.labels.KEY (repeatable).") List<String> prefAdd = new ArrayList<>();
    @Option(names = "--placement-pref-rm", description = "Remove a placement preference (repeatable).") List<String> prefRm = new ArrayList<>();
    @Option(names = "--mount-add", description = "Add or replace (by target) a mount (repeatable).") List<String> mountAdd = new ArrayList<>();
    @Option(names = "--mount-rm", description = "Remove a mount by its target path (repeatable).") List<String> mountRm = new ArrayList<>();
    @Option(names = "--network-add", description = "Attach to a network (repeatable).") List<String> networkAdd = new ArrayList<>();
    @Option(names = "--network-rm", description = "Detach from a network (repeatable).") List<String> networkRm = new ArrayList<>();
    @Option(names = "--publish-add", description = "Add or replace a published port, as --publish (repeatable).") List<String> publishAdd = new ArrayList<>();
    @Option(names = "--args", description = "The command's arguments, as one string split like a shell would.") String args;
    @Option(names = "--force", description = "Replace every task even if nothing changed.") boolean force;

    /** Any of these flags was given. */
    boolean any() {
        return !envAdd.isEmpty() || !envRm.isEmpty() || !labelAdd.isEmpty() || !labelRm.isEmpty() || !constraintAdd.isEmpty()
                || !constraintRm.isEmpty() || !prefAdd.isEmpty() || !prefRm.isEmpty() || !mountAdd.isEmpty() || !mountRm.isEmpty()
                || !networkAdd.isEmpty() || !networkRm.isEmpty() || !publishAdd.isEmpty() || args != null || force;
    }

    /** Refuses malformed values before anything is asked of the managers. */
    void check(CommandLine cmd) {
        env(List.of(), List.of(), envAdd, cmd);
        prefRm.forEach(p -> spread(p, "--placement-pref-rm", cmd));
        prefAdd.forEach(p -> spread(p, "--placement-pref-add", cmd));
        mounts(List.of(), List.of(), mountAdd, cmd);
        publishAdd.forEach(p -> ServiceFlags.port(p, "--publish-add", cmd));
        if (args != null) {
            ShellWords.split(args, "--args", cmd);
        }
    }

    /**
     * The spec with these flags applied.
     *
     * @param networkId the id of a network named by name or id (throws when there is none)
     */
    ServiceSpec apply(ServiceSpec base, UnaryOperator<String> networkId, CommandLine cmd) {
        ServiceSpec.Builder s = base.toBuilder();
        TaskSpec.Builder task = s.getTaskBuilder();
        ContainerSpec.Builder c = task.getContainerBuilder();
        if (!envRm.isEmpty() || !envAdd.isEmpty()) {
            List<String> env = env(c.getEnvList(), envRm, envAdd, cmd);
            c.clearEnv().addAllEnv(env);
        }
        if (!labelRm.isEmpty() || !labelAdd.isEmpty()) {
            var labels = s.getAnnotationsBuilder();
            labelRm.forEach(labels::removeLabels);
            for (String l : labelAdd) {
                int eq = l.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(cmd, "--label-add: '" + l + "' must be KEY=VALUE");
                }
                labels.putLabels(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        if (!constraintRm.isEmpty() || !constraintAdd.isEmpty()) {
            Placement.Builder p = task.getPlacementBuilder();
            Set<String> constraints = new LinkedHashSet<>(p.getConstraintsList());
            constraintRm.forEach(constraints::remove);
            constraints.addAll(constraintAdd);
            p.clearConstraints().addAllConstraints(constraints);
        }
        if (!prefRm.isEmpty() || !prefAdd.isEmpty()) {
            Placement.Builder p = task.getPlacementBuilder();
            List<PlacementPreference> prefs = new ArrayList<>(p.getPreferencesList());
            for (String rm : prefRm) {
                String d = spread(rm, "--placement-pref-rm", cmd);
                prefs.removeIf(x -> x.getSpreadDescriptor().equals(d));
            }
            for (String add : prefAdd) {
                prefs.add(PlacementPreference.newBuilder().setSpreadDescriptor(spread(add, "--placement-pref-add", cmd)).build());
            }
            p.clearPreferences().addAllPreferences(prefs);
        }
        if (!mountRm.isEmpty() || !mountAdd.isEmpty()) {
            List<Mount> mounts = mounts(c.getMountsList(), mountRm, mountAdd, cmd);
            c.clearMounts().addAllMounts(mounts);
        }
        networks(task, networkId, cmd);
        for (String pub : publishAdd) {
            ServiceFlags.publish(s, ServiceFlags.port(pub, "--publish-add", cmd));
        }
        if (args != null) {
            c.clearArgs().addAllArgs(ShellWords.split(args, "--args", cmd));
        }
        if (force) {
            task.setForceUpdate(task.getForceUpdate() + 1);
        }
        return s.build();
    }

    /** Env entries with {@code rm} (keys) removed and {@code add} (K=V) added: one entry per key, a new value in its old place. */
    static List<String> env(List<String> current, List<String> rm, List<String> add, CommandLine cmd) {
        Map<String, String> byKey = new LinkedHashMap<>();
        for (String e : current) {
            byKey.put(key(e), e);
        }
        rm.forEach(byKey::remove);
        for (String e : add) {
            if (!e.contains("=") || e.startsWith("=")) {
                throw new CommandLine.ParameterException(cmd, "--env-add: '" + e + "' must be KEY=VALUE");
            }
            byKey.put(key(e), e);
        }
        return List.copyOf(byKey.values());
    }

    private static String key(String env) {
        int eq = env.indexOf('=');
        return eq < 0 ? env : env.substring(0, eq);
    }

    /** Mounts with those at the {@code rm} targets removed (each must exist) and {@code add} added, replacing by target. */
    static List<Mount> mounts(List<Mount> current, List<String> rm, List<String> add, CommandLine cmd) {
        Map<String, Mount> byTarget = new LinkedHashMap<>();
        current.forEach(m -> byTarget.put(m.getTarget(), m));
        for (String target : rm) {
            if (byTarget.remove(target) == null) {
                throw new CommandLine.ParameterException(cmd, "--mount-rm: nothing is mounted at '" + target + "' (mounted: "
                        + (byTarget.isEmpty() ? "none" : String.join(", ", byTarget.keySet())) + ")");
            }
        }
        Set<String> added = new LinkedHashSet<>();
        for (String spec : add) {
            Mount m = ServiceFlags.mount(spec, cmd);
            if (!added.add(m.getTarget())) {
                throw new CommandLine.ParameterException(cmd, "--mount-add: target '" + m.getTarget() + "' is given twice");
            }
            byTarget.put(m.getTarget(), m);
        }
        return List.copyOf(byTarget.values());
    }

    private void networks(TaskSpec.Builder task, UnaryOperator<String> networkId, CommandLine cmd) {
        if (networkAdd.isEmpty() && networkRm.isEmpty()) {
            return;
        }
        List<NetworkAttachmentConfig> kept = new ArrayList<>(task.getNetworksList());
        for (String rm : networkRm) {
            String id = networkId.apply(rm);
            if (!kept.removeIf(n -> n.getTarget().equals(id) || n.getTarget().equals(rm))) {
                throw new CommandLine.ParameterException(cmd, "--network-rm: the service is not attached to network " + rm);
            }
        }
        for (String add : networkAdd) {
            String id = networkId.apply(add);
            if (kept.stream().anyMatch(n -> n.getTarget().equals(id) || n.getTarget().equals(add))) {
                throw new CommandLine.ParameterException(cmd, "--network-add: the service is already attached to network " + add);
            }
            kept.add(NetworkAttachmentConfig.newBuilder().setTarget(id).build());
        }
        task.clearNetworks().addAllNetworks(kept);
    }

    private static String spread(String pref, String flag, CommandLine cmd) {
        if (!pref.startsWith("spread=") || pref.length() == 7) {
            throw new CommandLine.ParameterException(cmd, flag + ": '" + pref + "' must be spread=node.labels.KEY");
        }
        return pref.substring(7);
    }

    /** The port a {@code --publish-rm} value names, for tests. */
    static PortConfig portOf(String v, CommandLine cmd) {
        return ServiceFlags.port(v, "--publish-rm", cmd);
    }
}
