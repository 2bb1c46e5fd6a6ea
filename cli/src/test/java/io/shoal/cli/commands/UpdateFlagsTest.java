package io.shoal.cli.commands;

import io.shoal.api.ContainerSpec;
import io.shoal.api.Mount;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.Placement;
import io.shoal.api.PlacementPreference;
import io.shoal.api.PortConfig;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.UpdateConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `service update`'s flags on a stored spec: adds replace by key, removals take away, mistakes are refused. */
class UpdateFlagsTest {
    @CommandLine.Command(name = "t")
    static final class Holder {
        @CommandLine.Mixin ServiceFlags flags = new ServiceFlags();
        @CommandLine.Mixin UpdateFlags edits = new UpdateFlags();
    }

    /** Networks as the managers name them: front is n-front, back is n-back. */
    private static final Map<String, String> NETWORKS = Map.of("front", "n-front", "n-front", "n-front", "back", "n-back", "n-back", "n-back");

    private static final ServiceSpec STORED = ServiceSpec.newBuilder()
            .setTask(TaskSpec.newBuilder()
                    .setContainer(ContainerSpec.newBuilder().setImage("app:1").addEnv("A=0").addEnv("B=1").addArgs("old")
                            .addMounts(Mount.newBuilder().setType(Mount.Type.VOLUME).setSource("data").setTarget("/data"))
                            .addMounts(Mount.newBuilder().setType(Mount.Type.TMPFS).setTarget("/run")))
                    .setPlacement(Placement.newBuilder().addConstraints("node.role==worker")
                            .addPreferences(PlacementPreference.newBuilder().setSpreadDescriptor("node.labels.zone")))
                    .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget("n-front")))
            .build();

    private static ServiceSpec update(String... args) {
        Holder h = new Holder();
        CommandLine cmd = new CommandLine(h);
        cmd.parseArgs(args);
        ServiceSpec s = h.flags.apply(STORED, null, null, cmd);
        return h.edits.apply(s, n -> {
            String id = NETWORKS.get(n);
            if (id == null) {
                throw new IllegalArgumentException("network " + n + " not found");
            }
            return id;
        }, cmd);
    }

    private static String refusal(String... args) {
        return assertThrows(CommandLine.ParameterException.class, () -> update(args)).getMessage();
    }

    private static List<String> env(ServiceSpec s) {
        return s.getTask().getContainer().getEnvList();
    }

    @Test
    void oneEntryPerEnvKeyWhateverTheFlag() {
        assertEquals(List.of("A=1", "B=1"), env(update("--env-add", "A=1", "--env-add", "A=1")), "twice is still one A");
        assertEquals(List.of("A=2", "B=1"), env(update("--env-add", "A=1", "--env-add", "A=2")), "the last value wins, in its place");
        assertEquals(List.of("A=3", "B=1", "C=4"), env(update("-e", "A=3", "--env", "C=4")), "-e is --env-add");
        assertEquals(List.of("A=0"), env(update("--env-rm", "B")));
        assertEquals(List.of("A=0", "B=2"), env(update("--env-rm", "B", "--env-add", "B=2")), "removals first, then adds");
        assertEquals(List.of("A=0", "B=1"), env(update("--env-rm", "NOPE")), "removing a key that is not set changes nothing");
        assertTrue(refusal("--env-add", "A").startsWith("--env-add: 'A' must be KEY=VALUE"));
    }

    @Test
    void labelsAddReplaceAndRemoveByKey() {
        ServiceSpec s = update("--label-add", "tier=web", "--label-add", "team=a");
        assertEquals(Map.of("tier", "web", "team", "a"), s.getAnnotations().getLabelsMap());
        ServiceSpec t = update("--label-add", "tier=web", "--label-add", "tier=api");
        assertEquals(Map.of("tier", "api"), t.getAnnotations().getLabelsMap());
        assertTrue(refusal("--label-add", "tier").startsWith("--label-add: 'tier' must be KEY=VALUE"));
    }

    @Test
    void constraintsAndPreferencesAreAddedOnceAndRemoved() {
        Placement p = update("--constraint-add", "node.role==worker", "--constraint-add", "node.labels.disk==ssd").getTask().getPlacement();
        assertEquals(List.of("node.role==worker", "node.labels.disk==ssd"), p.getConstraintsList(), "no duplicate");
        assertEquals(List.of(), update("--constraint-rm", "node.role==worker").getTask().getPlacement().getConstraintsList());
        assertEquals(List.of("node.role==worker"), update("--constraint", "node.role==worker").getTask().getPlacement().getConstraintsList(),
                "--constraint on update adds it once too");
        Placement q = update("--placement-pref-rm", "spread=node.labels.zone", "--placement-pref-add", "spread=node.labels.rack")
                .getTask().getPlacement();
        assertEquals(List.of("node.labels.rack"), q.getPreferencesList().stream().map(PlacementPreference::getSpreadDescriptor).toList());
        assertTrue(refusal("--placement-pref-add", "zone").startsWith("--placement-pref-add: 'zone' must be spread=node.labels.KEY"));
    }

    @Test
    void mountsAreReplacedAndRemovedByTarget() {
        List<Mount> m = update("--mount-add", "type=bind,source=/srv,target=/data").getTask().getContainer().getMountsList();
        assertEquals(2, m.size());
        assertEquals(Mount.Type.BIND, m.get(0).getType(), "the mount at /data replaced in its place");
        assertEquals(List.of("/data"), update("--mount-rm", "/run").getTask().getContainer().getMountsList().stream().map(Mount::getTarget).toList());
        assertTrue(refusal("--mount-rm", "/srv").startsWith("--mount-rm: nothing is mounted at '/srv' (mounted: /data, /run)"));
        assertTrue(refusal("--mount-add", "type=tmpfs,target=/x", "--mount-add", "type=tmpfs,target=/x").contains("given twice"));
    }

    @Test
    void networksAreAddedAndRemovedByNameOrId() {
        List<String> targets = update("--network-add", "back").getTask().getNetworksList().stream().map(NetworkAttachmentConfig::getTarget).toList();
        assertEquals(List.of("n-front", "n-back"), targets);
        assertEquals(0, update("--network-rm", "front").getTask().getNetworksCount());
        assertTrue(refusal("--network-add", "front").startsWith("--network-add: the service is already attached to network front"));
        assertTrue(refusal("--network-rm", "back").startsWith("--network-rm: the service is not attached to network back"));
    }

    @Test
    void argsForceAndPorts() {
        assertEquals(List.of("sh", "-c", "echo 'a b' \"$X\""), update("--args", "sh -c \"echo 'a b' \\\"\\$X\\\"\"").getTask().getContainer().getArgsList());
        assertTrue(refusal("--args", "sh -c 'oops").contains("unterminated ' quote"));
        assertEquals(STORED.getTask().getForceUpdate() + 1, update("--force").getTask().getForceUpdate(), "--force changes only force_update");
        assertEquals(STORED.toBuilder().setTask(STORED.getTask().toBuilder().setForceUpdate(1)).build(), update("--force"));
        List<PortConfig> ports = update("--publish-add", "8080:80", "--publish-add", "8080:81").getEndpoint().getPortsList();
        assertEquals(1, ports.size(), "the same published port is replaced");
        assertEquals(81, ports.getFirst().getTargetPort());
    }

    @Test
    void updateConfigFlagsStartFromSwarmsDefaultsAndKeepWhatIsSet() {
        UpdateConfig u = update("--update-delay", "2s").getUpdate();
        assertEquals(1, u.getParallelism(), "swarm's default parallelism");
        assertEquals(5_000, u.getMonitorMs());
        assertEquals(2_000, u.getDelayMs());
        Holder h = new Holder();
        CommandLine cmd = new CommandLine(h);
        cmd.parseArgs("--update-order", "start-first");
        ServiceSpec withDelay = update("--update-delay", "2s");
        UpdateConfig both = h.flags.apply(withDelay, null, null, cmd).getUpdate();
        assertEquals(UpdateConfig.Order.START_FIRST, both.getOrder());
        assertEquals(2_000, both.getDelayMs(), "a later update keeps what an earlier one set");
    }
}
