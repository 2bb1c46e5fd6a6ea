package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.api.ContainerSpec;
import io.shoal.api.EndpointSpec;
import io.shoal.api.Mount;
import io.shoal.api.PortConfig;
import io.shoal.api.ServiceSpec;
import io.shoal.api.UpdateConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What a user observes of a service, the same way from Docker's {@code service inspect} JSON and from
 * Shoal's spec, so the stack tests can compare the two engines field by field. Values the engines
 * leave to their defaults are written as those defaults (Docker fills some in, Shoal keeps them
 * unset); network ids become names.
 */
final class ServiceView {
    private static final long DEFAULT_GRACE_MS = 10_000;
    private static final long DEFAULT_RESTART_DELAY_MS = 5_000;
    private static final long DEFAULT_MONITOR_MS = 5_000;

    private ServiceView() {}

    static Map<String, Object> docker(JsonNode spec, Function<String, String> networkName) {
        Map<String, Object> v = new TreeMap<>();
        JsonNode t = spec.path("TaskTemplate");
        JsonNode c = t.path("ContainerSpec");
        v.put("name", spec.path("Name").asText());
        v.put("labels", map(spec.path("Labels")));
        v.put("image", c.path("Image").asText());
        JsonNode mode = spec.path("Mode");
        v.put("mode", mode.has("Global") ? "global" : mode.has("GlobalJob") ? "global-job"
                : mode.has("ReplicatedJob") ? "replicated-job " + mode.path("ReplicatedJob").path("MaxConcurrent").asLong()
                + "/" + mode.path("ReplicatedJob").path("TotalCompletions").asLong()
                : "replicated " + mode.path("Replicated").path("Replicas").asLong(1));
        v.put("command", strings(c.path("Command")));
        v.put("args", strings(c.path("Args")));
        v.put("env", sorted(strings(c.path("Env"))));
        v.put("containerLabels", map(c.path("Labels")));
        v.put("hostname", c.path("Hostname").asText());
        v.put("dir", c.path("Dir").asText());
        v.put("user", c.path("User").asText());
        v.put("stopSignal", c.path("StopSignal").asText());
        v.put("stopGraceMs", c.has("StopGracePeriod") ? c.path("StopGracePeriod").asLong() / 1_000_000 : DEFAULT_GRACE_MS);
        v.put("readOnly", c.path("ReadOnly").asBoolean());
        v.put("init", c.path("Init").asBoolean());
        List<String> mounts = new ArrayList<>();
        c.path("Mounts").forEach(m -> mounts.add(m.path("Type").asText() + "|" + m.path("Source").asText() + "|" + m.path("Target").asText()
                + "|" + (m.path("ReadOnly").asBoolean() ? "ro" : "rw") + "|" + m.path("TmpfsOptions").path("SizeBytes").asLong()));
        v.put("mounts", mounts);
        JsonNode h = c.path("Healthcheck");
        v.put("health", h.isMissingNode() ? "" : strings(h.path("Test")) + " " + h.path("Interval").asLong() / 1_000_000 + "/"
                + h.path("Timeout").asLong() / 1_000_000 + "/" + h.path("StartPeriod").asLong() / 1_000_000 + "/" + h.path("Retries").asLong());
        JsonNode p = t.path("Placement");
        v.put("constraints", strings(p.path("Constraints")));
        List<String> prefs = new ArrayList<>();
        p.path("Preferences").forEach(x -> prefs.add(x.path("Spread").path("SpreadDescriptor").asText()));
        v.put("preferences", prefs);
        v.put("maxReplicas", p.path("MaxReplicas").asLong());
        JsonNode l = t.path("Resources").path("Limits");
        JsonNode r = t.path("Resources").path("Reservations");
        v.put("resources", l.path("NanoCPUs").asLong() + "/" + l.path("MemoryBytes").asLong() + "/" + l.path("Pids").asLong() + " "
                + r.path("NanoCPUs").asLong() + "/" + r.path("MemoryBytes").asLong());
        JsonNode rp = t.path("RestartPolicy");
        v.put("restart", (rp.has("Condition") ? rp.path("Condition").asText() : "any") + "/"
                + (rp.has("Delay") ? rp.path("Delay").asLong() / 1_000_000 : DEFAULT_RESTART_DELAY_MS) + "/"
                + rp.path("MaxAttempts").asLong() + "/" + rp.path("Window").asLong() / 1_000_000);
        v.put("update", update(spec.path("UpdateConfig")));
        v.put("rollback", update(spec.path("RollbackConfig")));
        List<String> nets = new ArrayList<>();
        t.path("Networks").forEach(n -> nets.add(networkName.apply(n.path("Target").asText()) + " " + strings(n.path("Aliases"))));
        v.put("networks", sorted(nets));
        JsonNode e = spec.path("EndpointSpec");
        v.put("endpointMode", e.has("Mode") ? e.path("Mode").asText() : "vip");
        List<String> ports = new ArrayList<>();
        e.path("Ports").forEach(x -> ports.add(x.path("PublishedPort").asLong() + ":" + x.path("TargetPort").asLong() + "/"
                + x.path("Protocol").asText("tcp") + "/" + x.path("PublishMode").asText("ingress")));
        v.put("ports", sorted(ports));
        v.put("capAdd", strings(c.path("CapabilityAdd")));
        v.put("capDrop", strings(c.path("CapabilityDrop")));
        v.put("sysctls", map(c.path("Sysctls")));
        List<String> ulimits = new ArrayList<>();
        c.path("Ulimits").forEach(u -> ulimits.add(u.path("Name").asText() + " " + u.path("Soft").asLong() + " " + u.path("Hard").asLong()));
        v.put("ulimits", ulimits);
        v.put("dns", strings(c.path("DNSConfig").path("Nameservers")) + " " + strings(c.path("DNSConfig").path("Search")));
        v.put("hosts", strings(c.path("Hosts")));
        List<String> secrets = new ArrayList<>();
        c.path("Secrets").forEach(x -> secrets.add(fileRef(x.path("SecretName").asText(), x.path("File"))));
        v.put("secrets", sorted(secrets));
        List<String> configs = new ArrayList<>();
        c.path("Configs").forEach(x -> configs.add(fileRef(x.path("ConfigName").asText(), x.path("File"))));
        v.put("configs", sorted(configs));
        return v;
    }

    static Map<String, Object> shoal(ServiceSpec spec, Function<String, String> networkName) {
        Map<String, Object> v = new TreeMap<>();
        ContainerSpec c = spec.getTask().getContainer();
        v.put("name", spec.getAnnotations().getName());
        v.put("labels", new TreeMap<>(spec.getAnnotations().getLabelsMap()));
        v.put("image", c.getImage());
        v.put("mode", switch (spec.getModeCase()) {
            case GLOBAL -> "global";
            case GLOBAL_JOB -> "global-job";
            case REPLICATED_JOB -> "replicated-job " + spec.getReplicatedJob().getMaxConcurrent() + "/" + spec.getReplicatedJob().getTotalCompletions();
            default -> "replicated " + spec.getReplicated().getReplicas();
        });
        v.put("command", List.copyOf(c.getCommandList()));
        v.put("args", List.copyOf(c.getArgsList()));
        v.put("env", sorted(c.getEnvList()));
        v.put("containerLabels", new TreeMap<>(c.getLabelsMap()));
        v.put("hostname", c.getHostname());
        v.put("dir", c.getDir());
        v.put("user", c.getUser());
        v.put("stopSignal", c.getStopSignal());
        v.put("stopGraceMs", c.getHasStopGracePeriod() ? c.getStopGracePeriodMs() : DEFAULT_GRACE_MS);
        v.put("readOnly", c.getReadOnly());
        v.put("init", c.getInit());
        List<String> mounts = new ArrayList<>();
        for (Mount m : c.getMountsList()) {
            mounts.add(m.getType().name().toLowerCase(Locale.ROOT) + "|" + m.getSource() + "|" + m.getTarget() + "|"
                    + (m.getReadOnly() ? "ro" : "rw") + "|" + m.getTmpfsSizeBytes());
        }
        v.put("mounts", mounts);
        var h = c.getHealthcheck();
        v.put("health", !c.hasHealthcheck() ? "" : List.copyOf(h.getTestList()) + " " + h.getIntervalMs() + "/" + h.getTimeoutMs() + "/"
                + h.getStartPeriodMs() + "/" + h.getRetries());
        var p = spec.getTask().getPlacement();
        v.put("constraints", List.copyOf(p.getConstraintsList()));
        v.put("preferences", p.getPreferencesList().stream().map(x -> x.getSpreadDescriptor()).toList());
        v.put("maxReplicas", p.getMaxReplicas());
        var l = spec.getTask().getResources().getLimits();
        var r = spec.getTask().getResources().getReservations();
        v.put("resources", l.getNanoCpus() + "/" + l.getMemoryBytes() + "/" + l.getPids() + " " + r.getNanoCpus() + "/" + r.getMemoryBytes());
        var rp = spec.getTask().getRestart();
        v.put("restart", rp.getCondition().name().toLowerCase(Locale.ROOT).replace('_', '-') + "/"
                + (rp.getDelaySet() ? rp.getDelayMs() : DEFAULT_RESTART_DELAY_MS) + "/" + rp.getMaxAttempts() + "/" + rp.getWindowMs());
        v.put("update", spec.hasUpdate() ? update(spec.getUpdate()) : update(UpdateConfig.newBuilder().setParallelism(1).build()));
        v.put("rollback", spec.hasRollback() ? update(spec.getRollback()) : update(UpdateConfig.newBuilder().setParallelism(1).build()));
        List<String> nets = new ArrayList<>();
        // Shoal keeps the routing mesh's network in the spec of a service that publishes ports; Docker
        // attaches it through the endpoint: the same to a user, who never names it
        spec.getTask().getNetworksList().stream().filter(n -> !networkName.apply(n.getTarget()).equals("ingress"))
                .forEach(n -> nets.add(networkName.apply(n.getTarget()) + " " + List.copyOf(n.getAliasesList())));
        v.put("networks", sorted(nets));
        v.put("endpointMode", spec.getEndpoint().getMode() == EndpointSpec.ResolutionMode.DNSRR ? "dnsrr" : "vip");
        List<String> ports = new ArrayList<>();
        for (PortConfig x : spec.getEndpoint().getPortsList()) {
            ports.add(x.getPublishedPort() + ":" + x.getTargetPort() + "/" + x.getProtocol().name().toLowerCase(Locale.ROOT) + "/"
                    + x.getPublishMode().name().toLowerCase(Locale.ROOT));
        }
        v.put("ports", sorted(ports));
        v.put("capAdd", List.copyOf(c.getCapabilityAddList()));
        v.put("capDrop", List.copyOf(c.getCapabilityDropList()));
        v.put("sysctls", new TreeMap<>(c.getSysctlsMap()));
        v.put("ulimits", c.getUlimitsList().stream().map(u -> u.getName() + " " + u.getSoft() + " " + u.getHard()).toList());
        v.put("dns", List.copyOf(c.getDnsConfig().getNameserversList()) + " " + List.copyOf(c.getDnsConfig().getSearchList()));
        v.put("hosts", List.copyOf(c.getHostsList()));
        v.put("secrets", sorted(c.getSecretsList().stream().map(x -> fileRef(x.getSecretName(), x.getTarget(), x.getUid(), x.getGid(), x.getMode())).toList()));
        v.put("configs", sorted(c.getConfigsList().stream().map(x -> fileRef(x.getConfigName(), x.getTarget(), x.getUid(), x.getGid(), x.getMode())).toList()));
        return v;
    }

    private static String fileRef(String name, JsonNode file) {
        return fileRef(name, file.path("Name").asText(), file.path("UID").asText(), file.path("GID").asText(), file.path("Mode").asInt());
    }

    /** A secret or config reference: "NAME>TARGET UID:GID MODE" (mode in octal). */
    private static String fileRef(String name, String target, String uid, String gid, int mode) {
        return name + ">" + target + " " + uid + ":" + gid + " 0" + Integer.toOctalString(mode);
    }

    private static String update(JsonNode u) {
        if (u.isMissingNode() || u.isNull()) {
            return "1/0/pause/" + DEFAULT_MONITOR_MS + "/0.0/stop-first";
        }
        long monitor = u.path("Monitor").asLong() / 1_000_000;
        return u.path("Parallelism").asLong() + "/" + u.path("Delay").asLong() / 1_000_000 + "/" + u.path("FailureAction").asText("pause")
                + "/" + (monitor == 0 ? DEFAULT_MONITOR_MS : monitor) + "/" + (float) u.path("MaxFailureRatio").asDouble()
                + "/" + u.path("Order").asText("stop-first");
    }

    private static String update(UpdateConfig u) {
        return u.getParallelism() + "/" + u.getDelayMs() + "/" + u.getFailureAction().name().toLowerCase(Locale.ROOT) + "/"
                + (u.getMonitorMs() == 0 ? DEFAULT_MONITOR_MS : u.getMonitorMs()) + "/" + u.getMaxFailureRatio() + "/"
                + (u.getOrder() == UpdateConfig.Order.START_FIRST ? "start-first" : "stop-first");
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static List<String> sorted(List<String> l) {
        List<String> out = new ArrayList<>(l);
        out.sort(null);
        return out;
    }

    private static Map<String, String> map(JsonNode n) {
        Map<String, String> out = new TreeMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
