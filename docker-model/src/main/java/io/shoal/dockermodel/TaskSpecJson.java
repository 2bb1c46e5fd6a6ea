package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.ConfigReference;
import io.shoal.api.ContainerSpec;
import io.shoal.api.DNSConfig;
import io.shoal.api.HealthConfig;
import io.shoal.api.Mount;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.Placement;
import io.shoal.api.PlacementPreference;
import io.shoal.api.Platform;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.RestartPolicy;
import io.shoal.api.SecretReference;
import io.shoal.api.TaskSpec;
import io.shoal.api.Ulimit;

import java.util.Locale;
import java.util.Set;

/**
 * A task template ({@code TaskSpec} in docker's API, {@code TaskTemplate} in a service spec) both
 * ways. Written as dockerd writes it (its zero-valued sections included, so that a client's
 * read-modify-write sends back what it read); read strictly through {@link JsonReader}.
 */
public final class TaskSpecJson {
    /** Docker's default for a restart delay the spec leaves unset. */
    static final long DEFAULT_RESTART_DELAY_MS = 5_000;
    /** What docker's CLI sends for a secret or config file it was given no options for. */
    private static final long DEFAULT_FILE_MODE = 0444;
    private static final Set<String> MOUNT_TYPES = Set.of("bind", "volume", "tmpfs");

    private TaskSpecJson() {}

    // ------------------------------------------------------------------ Shoal -> docker

    /** {@code ingressId} (may be null) is left out of Networks: docker shows ingress only in the endpoint. */
    public static ObjectNode write(TaskSpec t, String ingressId) {
        ObjectNode o = Json.object();
        o.set("ContainerSpec", container(t.getContainer()));
        ObjectNode res = o.putObject("Resources");
        res.set("Limits", resources(t.getResources().getLimits(), true));
        res.set("Reservations", resources(t.getResources().getReservations(), false));
        ObjectNode rp = o.putObject("RestartPolicy");
        rp.put("Condition", switch (t.getRestart().getCondition()) {
            case NONE -> "none";
            case ON_FAILURE -> "on-failure";
            default -> "any";
        });
        rp.put("Delay", Json.nanos(t.getRestart().getDelaySet() ? t.getRestart().getDelayMs() : DEFAULT_RESTART_DELAY_MS));
        rp.put("MaxAttempts", t.getRestart().getMaxAttempts());
        if (t.getRestart().getWindowMs() > 0) {
            rp.put("Window", Json.nanos(t.getRestart().getWindowMs()));
        }
        o.set("Placement", placement(t.getPlacement()));
        ArrayNode nets = Json.array();
        for (NetworkAttachmentConfig n : t.getNetworksList()) {
            if (n.getTarget().equals(ingressId)) {
                continue;
            }
            ObjectNode a = nets.addObject().put("Target", n.getTarget());
            if (n.getAliasesCount() > 0) {
                a.set("Aliases", Json.strings(n.getAliasesList()));
            }
        }
        if (!nets.isEmpty()) {
            o.set("Networks", nets);
        }
        o.put("ForceUpdate", t.getForceUpdate());
        if (t.getStopAfterDisconnectMs() > 0) {
            o.put("StopTasksAfterDisconnect", Json.nanos(t.getStopAfterDisconnectMs())); // Shoal's own, not docker's
        }
        o.put("Runtime", "container");
        return o;
    }

    private static ObjectNode container(ContainerSpec c) {
        ObjectNode o = Json.object();
        o.put("Image", c.getImage());
        if (c.getLabelsCount() > 0) {
            o.set("Labels", Json.map(c.getLabelsMap()));
        }
        if (c.getCommandCount() > 0) {
            o.set("Command", Json.strings(c.getCommandList()));
        }
        if (c.getArgsCount() > 0) {
            o.set("Args", Json.strings(c.getArgsList()));
        }
        putIfSet(o, "Hostname", c.getHostname());
        if (c.getEnvCount() > 0) {
            o.set("Env", Json.strings(c.getEnvList()));
        }
        putIfSet(o, "Dir", c.getDir());
        putIfSet(o, "User", c.getUser());
        if (c.getReadOnly()) {
            o.put("ReadOnly", true);
        }
        if (c.getMountsCount() > 0) {
            ArrayNode ms = o.putArray("Mounts");
            c.getMountsList().forEach(m -> ms.add(mount(m)));
        }
        putIfSet(o, "StopSignal", c.getStopSignal());
        if (c.getHasStopGracePeriod()) {
            o.put("StopGracePeriod", Json.nanos(c.getStopGracePeriodMs()));
        }
        if (c.hasHealthcheck()) {
            o.set("HealthCheck", health(c.getHealthcheck()));
        }
        if (c.getSecretsCount() > 0) {
            ArrayNode a = o.putArray("Secrets");
            for (SecretReference s : c.getSecretsList()) {
                ObjectNode r = a.addObject();
                r.set("File", file(s.getTarget(), s.getUid(), s.getGid(), s.hasMode() ? s.getMode() : DEFAULT_FILE_MODE));
                r.put("SecretID", s.getSecretId()).put("SecretName", s.getSecretName());
            }
        }
        if (c.getConfigsCount() > 0) {
            ArrayNode a = o.putArray("Configs");
            for (ConfigReference s : c.getConfigsList()) {
                ObjectNode r = a.addObject();
                r.set("File", file(s.getTarget(), s.getUid(), s.getGid(), s.hasMode() ? s.getMode() : DEFAULT_FILE_MODE));
                r.put("ConfigID", s.getConfigId()).put("ConfigName", s.getConfigName());
            }
        }
        if (c.getHostsCount() > 0) {
            o.set("Hosts", Json.strings(c.getHostsList()));
        }
        ObjectNode dns = o.putObject("DNSConfig");
        if (c.hasDnsConfig()) {
            DNSConfig d = c.getDnsConfig();
            if (d.getNameserversCount() > 0) {
                dns.set("Nameservers", Json.strings(d.getNameserversList()));
            }
            if (d.getSearchCount() > 0) {
                dns.set("Search", Json.strings(d.getSearchList()));
            }
            if (d.getOptionsCount() > 0) {
                dns.set("Options", Json.strings(d.getOptionsList()));
            }
        }
        o.put("Isolation", "default");
        if (c.getInit()) {
            o.put("Init", true);
        }
        if (c.getSysctlsCount() > 0) {
            o.set("Sysctls", Json.map(c.getSysctlsMap()));
        }
        if (c.getCapabilityAddCount() > 0) {
            o.set("CapabilityAdd", Json.strings(c.getCapabilityAddList()));
        }
        if (c.getCapabilityDropCount() > 0) {
            o.set("CapabilityDrop", Json.strings(c.getCapabilityDropList()));
        }
        if (c.getUlimitsCount() > 0) {
            ArrayNode a = o.putArray("Ulimits");
            c.getUlimitsList().forEach(u -> a.addObject().put("Name", u.getName()).put("Soft", u.getSoft()).put("Hard", u.getHard()));
        }
        return o;
    }

    private static ObjectNode file(String name, String uid, String gid, long mode) {
        return Json.object().put("Name", name).put("UID", uid.isEmpty() ? "0" : uid).put("GID", gid.isEmpty() ? "0" : gid)
                .put("Mode", mode);
    }

    private static ObjectNode mount(Mount m) {
        ObjectNode o = Json.object();
        o.put("Type", m.getType().name().toLowerCase(Locale.ROOT));
        putIfSet(o, "Source", m.getSource());
        o.put("Target", m.getTarget());
        if (m.getReadOnly()) {
            o.put("ReadOnly", true);
        }
        if (m.getTmpfsSizeBytes() > 0) {
            o.putObject("TmpfsOptions").put("SizeBytes", m.getTmpfsSizeBytes());
        }
        return o;
    }

    private static ObjectNode health(HealthConfig h) {
        ObjectNode o = Json.object();
        o.set("Test", Json.strings(h.getTestList()));
        if (h.getIntervalMs() > 0) {
            o.put("Interval", Json.nanos(h.getIntervalMs()));
        }
        if (h.getTimeoutMs() > 0) {
            o.put("Timeout", Json.nanos(h.getTimeoutMs()));
        }
        if (h.getRetries() > 0) {
            o.put("Retries", h.getRetries());
        }
        if (h.getStartPeriodMs() > 0) {
            o.put("StartPeriod", Json.nanos(h.getStartPeriodMs()));
        }
        return o;
    }

    private static ObjectNode resources(Resources r, boolean limits) {
        ObjectNode o = Json.object();
        if (r.getNanoCpus() > 0) {
            o.put("NanoCPUs", r.getNanoCpus());
        }
        if (r.getMemoryBytes() > 0) {
            o.put("MemoryBytes", r.getMemoryBytes());
        }
        if (limits && r.getPids() > 0) {
            o.put("Pids", r.getPids());
        }
        return o;
    }

    private static ObjectNode placement(Placement p) {
        ObjectNode o = Json.object();
        if (p.getConstraintsCount() > 0) {
            o.set("Constraints", Json.strings(p.getConstraintsList()));
        }
        if (p.getPreferencesCount() > 0) {
            ArrayNode a = o.putArray("Preferences");
            p.getPreferencesList().forEach(x -> a.addObject().putObject("Spread").put("SpreadDescriptor", x.getSpreadDescriptor()));
        }
        if (p.getMaxReplicas() > 0) {
            o.put("MaxReplicas", p.getMaxReplicas());
        }
        if (p.getPlatformsCount() > 0) {
            ArrayNode a = o.putArray("Platforms");
            p.getPlatformsList().forEach(x -> a.addObject().put("Architecture", x.getArchitecture()).put("OS", x.getOs()));
        }
        return o;
    }

    private static void putIfSet(ObjectNode o, String field, String value) {
        if (!value.isEmpty()) {
            o.put(field, value);
        }
    }

    // ------------------------------------------------------------------ docker -> Shoal

    /** Reads a task template; every field it does not read is refused by {@link JsonReader#done()}. */
    public static TaskSpec read(JsonReader r) {
        TaskSpec.Builder t = TaskSpec.newBuilder();
        String runtime = r.string("Runtime");
        if (!runtime.isEmpty() && !runtime.equals("container")) {
            throw new InvalidSpec(r.path("Runtime") + ": '" + runtime + "' is not supported by Shoal (only container)");
        }
        t.setContainer(container(r.object("ContainerSpec")));
        JsonReader res = r.object("Resources");
        ResourceRequirements.Builder rr = ResourceRequirements.newBuilder();
        rr.setLimits(resources(res.object("Limits"), true));
        rr.setReservations(resources(res.object("Reservations"), false));
        res.done();
        t.setResources(rr);
        t.setRestart(restart(r.object("RestartPolicy")));
        t.setPlacement(placement(r.object("Placement")));
        for (JsonReader n : r.objects("Networks")) {
            String target = n.string("Target");
            if (target.isEmpty()) {
                throw new InvalidSpec(n.path("Target") + ": a network attachment needs a target network");
            }
            t.addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(target).addAllAliases(n.strings("Aliases")));
            n.done();
        }
        t.setForceUpdate(r.count("ForceUpdate"));
        if (r.present("StopTasksAfterDisconnect")) {
            t.setStopAfterDisconnectMs(Json.millis(r.count("StopTasksAfterDisconnect")));
        }
        r.done();
        return t.build();
    }

    private static ContainerSpec container(JsonReader c) {
        ContainerSpec.Builder b = ContainerSpec.newBuilder()
                .setImage(c.string("Image"))
                .putAllLabels(c.map("Labels"))
                .addAllCommand(c.strings("Command"))
                .addAllArgs(c.strings("Args"))
                .setHostname(c.string("Hostname"))
                .addAllEnv(c.strings("Env"))
                .setDir(c.string("Dir"))
                .setUser(c.string("User"))
                .setReadOnly(c.bool("ReadOnly"))
                .setStopSignal(c.string("StopSignal"));
        for (JsonReader m : c.objects("Mounts")) {
            b.addMounts(mount(m));
        }
        if (c.present("StopGracePeriod")) {
            b.setHasStopGracePeriod(true).setStopGracePeriodMs(Json.millis(c.count("StopGracePeriod")));
        }
        if (c.present("HealthCheck")) {
            b.setHealthcheck(health(c.object("HealthCheck")));
        }
        for (JsonReader s : c.objects("Secrets")) {
            SecretReference.Builder r = SecretReference.newBuilder().setSecretId(s.string("SecretID")).setSecretName(s.string("SecretName"));
            JsonReader f = s.object("File");
            r.setTarget(f.string("Name")).setUid(f.string("UID")).setGid(f.string("GID"));
            if (f.present("Mode")) {
                r.setMode((int) f.count("Mode"));
            }
            f.done();
            b.addSecrets(r);
            s.done();
        }
        for (JsonReader s : c.objects("Configs")) {
            ConfigReference.Builder r = ConfigReference.newBuilder().setConfigId(s.string("ConfigID")).setConfigName(s.string("ConfigName"));
            JsonReader f = s.object("File");
            r.setTarget(f.string("Name")).setUid(f.string("UID")).setGid(f.string("GID"));
            if (f.present("Mode")) {
                r.setMode((int) f.count("Mode"));
            }
            f.done();
            b.addConfigs(r);
            s.object("Runtime").done();
            s.done();
        }
        b.setInit(c.bool("Init"))
                .addAllCapabilityAdd(c.strings("CapabilityAdd"))
                .addAllCapabilityDrop(c.strings("CapabilityDrop"))
                .putAllSysctls(c.map("Sysctls"))
                .addAllHosts(c.strings("Hosts"));
        for (JsonReader u : c.objects("Ulimits")) {
            b.addUlimits(Ulimit.newBuilder().setName(u.string("Name")).setSoft(u.number("Soft")).setHard(u.number("Hard")));
            u.done();
        }
        JsonReader dns = c.object("DNSConfig");
        DNSConfig d = DNSConfig.newBuilder().addAllNameservers(dns.strings("Nameservers")).addAllSearch(dns.strings("Search"))
                .addAllOptions(dns.strings("Options")).build();
        dns.done();
        if (!d.equals(DNSConfig.getDefaultInstance())) {
            b.setDnsConfig(d);
        }
        c.ignoring("Isolation", "default");
        c.done();
        return b.build();
    }

    private static Mount mount(JsonReader m) {
        String type = m.string("Type");
        if (!MOUNT_TYPES.contains(type)) {
            throw new InvalidSpec(m.path("Type") + ": '" + type + "' is not supported by Shoal (bind, volume or tmpfs)");
        }
        Mount.Builder b = Mount.newBuilder().setType(Mount.Type.valueOf(type.toUpperCase(Locale.ROOT)))
                .setSource(m.string("Source")).setTarget(m.string("Target")).setReadOnly(m.bool("ReadOnly"));
        m.ignoring("Consistency", "default");
        if (m.present("TmpfsOptions")) {
            JsonReader t = m.object("TmpfsOptions");
            b.setTmpfsSizeBytes(t.count("SizeBytes"));
            t.done();
        }
        if (m.present("BindOptions")) {
            JsonReader o = m.object("BindOptions");
            o.ignoring("Propagation", "rprivate");
            o.done();
        }
        if (m.present("VolumeOptions")) {
            JsonReader o = m.object("VolumeOptions");
            JsonReader d = o.object("DriverConfig");
            d.ignoring("Name", "local");
            d.done();
            o.done();
        }
        m.done();
        return b.build();
    }

    private static HealthConfig health(JsonReader h) {
        HealthConfig.Builder b = HealthConfig.newBuilder()
                .addAllTest(h.strings("Test"))
                .setIntervalMs(Json.millis(h.count("Interval")))
                .setTimeoutMs(Json.millis(h.count("Timeout")))
                .setRetries((int) h.count("Retries"))
                .setStartPeriodMs(Json.millis(h.count("StartPeriod")));
        h.done();
        return b.build();
    }

    private static Resources resources(JsonReader r, boolean limits) {
        Resources.Builder b = Resources.newBuilder().setNanoCpus(r.count("NanoCPUs")).setMemoryBytes(r.count("MemoryBytes"));
        if (limits) {
            b.setPids(r.count("Pids"));
        }
        r.done();
        return b.build();
    }

    private static RestartPolicy restart(JsonReader r) {
        RestartPolicy.Builder b = RestartPolicy.newBuilder();
        String c = r.string("Condition");
        b.setCondition(switch (c) {
            case "", "any" -> RestartPolicy.Condition.ANY;
            case "none" -> RestartPolicy.Condition.NONE;
            case "on-failure" -> RestartPolicy.Condition.ON_FAILURE;
            default -> throw new InvalidSpec(r.path("Condition") + ": '" + c + "' is not one of none, on-failure, any");
        });
        if (r.present("Delay")) {
            b.setDelaySet(true).setDelayMs(Json.millis(r.count("Delay")));
        }
        b.setMaxAttempts(r.count("MaxAttempts")).setWindowMs(Json.millis(r.count("Window")));
        r.done();
        return b.build();
    }

    private static Placement placement(JsonReader p) {
        Placement.Builder b = Placement.newBuilder().addAllConstraints(p.strings("Constraints")).setMaxReplicas(p.count("MaxReplicas"));
        for (JsonReader pref : p.objects("Preferences")) {
            JsonReader spread = pref.object("Spread");
            b.addPreferences(PlacementPreference.newBuilder().setSpreadDescriptor(spread.string("SpreadDescriptor")));
            spread.done();
            pref.done();
        }
        for (JsonReader pl : p.objects("Platforms")) {
            b.addPlatforms(Platform.newBuilder().setArchitecture(pl.string("Architecture")).setOs(pl.string("OS")));
            pl.done();
        }
        p.done();
        return b.build();
    }
}
