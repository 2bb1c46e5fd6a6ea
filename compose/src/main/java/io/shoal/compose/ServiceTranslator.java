package io.shoal.compose;

import io.shoal.api.ConfigReference;
import io.shoal.api.ContainerSpec;
import io.shoal.api.DNSConfig;
import io.shoal.api.EndpointSpec;
import io.shoal.api.GlobalJob;
import io.shoal.api.GlobalService;
import io.shoal.api.HealthConfig;
import io.shoal.api.Mount;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.Placement;
import io.shoal.api.PlacementPreference;
import io.shoal.api.PortConfig;
import io.shoal.api.ReplicatedJob;
import io.shoal.api.ReplicatedService;
import io.shoal.api.ResourceRequirements;
import io.shoal.api.Resources;
import io.shoal.api.RestartPolicy;
import io.shoal.api.SecretReference;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.Ulimit;
import io.shoal.api.UpdateConfig;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import static io.shoal.compose.Canon.flag;
import static io.shoal.compose.Canon.list;
import static io.shoal.compose.Canon.map;
import static io.shoal.compose.Canon.millis;
import static io.shoal.compose.Canon.num;
import static io.shoal.compose.Canon.str;

/**
 * One compose service into a service spec, as Docker's {@code convert.Service} does: the entrypoint
 * is the container's command and {@code command} its arguments, the environment sorted, labels with
 * the namespace, networks sorted by name with the service's short name as an alias on each, ports
 * sorted by published port; names of networks, volumes, secrets and configs resolved through the
 * stack's {@link Refs}.
 */
final class ServiceTranslator {
    private static final long DEFAULT_FILE_MODE = 0444;

    /** The stack's names for what the file declares; null where the file declares nothing of that name. */
    record Refs(Namespace ns, Function<String, String> network, Function<String, String> volume,
                Function<String, String> secret, Function<String, String> config, Function<String, String> environment) {}

    private ServiceTranslator() {}

    static ServiceSpec translate(String name, Map<String, Object> svc, At at, Refs refs) {
        Namespace ns = refs.ns();
        String full = ns.scope(name);
        if (full.length() > 63) {
            throw at.fail("the service's name in the stack, \"" + full + "\", is longer than 63 characters");
        }
        String image = str(svc, "image");
        if (image.isEmpty()) {
            throw at.key("image").fail("an image is required (a stack does not build images)");
        }
        Map<String, Object> deploy = map(svc, "deploy");
        ServiceSpec.Builder s = ServiceSpec.newBuilder();
        Map<String, String> labels = new TreeMap<>(Canon.strings(deploy, "labels"));
        labels.put(Namespace.IMAGE_LABEL, image);
        s.getAnnotationsBuilder().setName(full).putAllLabels(ns.labels(labels));
        mode(s, deploy, at.key("deploy"));
        TaskSpec.Builder task = s.getTaskBuilder();
        task.setContainer(container(svc, image, at, refs));
        task.setResources(resources(map(deploy, "resources")));
        task.setRestart(restart(svc, deploy));
        task.setPlacement(placement(map(deploy, "placement")));
        task.addAllNetworks(networks(name, svc, at, refs));
        if (deploy.containsKey("update_config")) {
            s.setUpdate(update(map(deploy, "update_config")));
        }
        if (deploy.containsKey("rollback_config")) {
            s.setRollback(update(map(deploy, "rollback_config")));
        }
        s.setEndpoint(endpoint(svc, deploy));
        return s.build();
    }

    private static void mode(ServiceSpec.Builder s, Map<String, Object> deploy, At at) {
        String mode = deploy.getOrDefault("mode", "replicated").toString();
        boolean hasReplicas = deploy.containsKey("replicas");
        long replicas = num(deploy, "replicas", 1);
        switch (mode) {
            case "global", "global-job" -> {
                if (hasReplicas) {
                    throw at.key("replicas").fail("replicas can only be used with replicated mode (mode is " + mode + ")");
                }
                if (mode.equals("global")) {
                    s.setGlobal(GlobalService.getDefaultInstance());
                } else {
                    s.setGlobalJob(GlobalJob.getDefaultInstance());
                }
            }
            case "replicated-job" -> s.setReplicatedJob(ReplicatedJob.newBuilder().setTotalCompletions(replicas).setMaxConcurrent(replicas));
            default -> s.setReplicated(ReplicatedService.newBuilder().setReplicas(replicas));
        }
    }

    private static ContainerSpec container(Map<String, Object> svc, String image, At at, Refs refs) {
        ContainerSpec.Builder c = ContainerSpec.newBuilder().setImage(image);
        c.addAllCommand(list(svc, "entrypoint")).addAllArgs(list(svc, "command"));
        c.setHostname(str(svc, "hostname")).setDir(str(svc, "working_dir")).setUser(str(svc, "user"));
        c.setStopSignal(str(svc, "stop_signal"));
        if (svc.containsKey("stop_grace_period")) {
            c.setStopGracePeriodMs(millis(svc, "stop_grace_period")).setHasStopGracePeriod(true);
        }
        TreeSet<String> env = new TreeSet<>();
        for (Map.Entry<String, Object> e : map(svc, "environment").entrySet()) {
            String v = e.getValue() == null ? refs.environment().apply(e.getKey()) : (String) e.getValue();
            if (v != null) {
                env.add(e.getKey() + "=" + v);
            }
        }
        c.addAllEnv(env);
        c.putAllLabels(refs.ns().labels(Canon.strings(svc, "labels")));
        c.addAllMounts(mounts(svc, at, refs));
        if (svc.containsKey("healthcheck")) {
            c.setHealthcheck(health(map(svc, "healthcheck")));
        }
        List<Map<String, Object>> secrets = list(svc, "secrets");
        for (int i = 0; i < secrets.size(); i++) {
            Map<String, Object> r = secrets.get(i);
            String target = refs.secret().apply(str(r, "source"));
            if (target == null) {
                throw at.key("secrets").index(i).fail("undefined secret \"" + str(r, "source") + "\" (declare it under the top-level secrets)");
            }
            c.addSecrets(SecretReference.newBuilder().setSecretName(target)
                    .setTarget(r.containsKey("target") ? str(r, "target") : str(r, "source"))
                    .setUid(owner(r, "uid")).setGid(owner(r, "gid")).setMode(fileMode(r)));
        }
        List<Map<String, Object>> configs = list(svc, "configs");
        for (int i = 0; i < configs.size(); i++) {
            Map<String, Object> r = configs.get(i);
            String target = refs.config().apply(str(r, "source"));
            if (target == null) {
                throw at.key("configs").index(i).fail("undefined config \"" + str(r, "source") + "\" (declare it under the top-level configs)");
            }
            c.addConfigs(ConfigReference.newBuilder().setConfigName(target)
                    .setTarget(r.containsKey("target") ? str(r, "target") : str(r, "source"))
                    .setUid(owner(r, "uid")).setGid(owner(r, "gid")).setMode(fileMode(r)));
        }
        // sorted by name, as Docker does, so that a redeploy of the same file changes nothing
        List<SecretReference> sortedSecrets = new ArrayList<>(c.getSecretsList());
        sortedSecrets.sort(Comparator.comparing(SecretReference::getSecretName));
        c.clearSecrets().addAllSecrets(sortedSecrets);
        List<ConfigReference> sortedConfigs = new ArrayList<>(c.getConfigsList());
        sortedConfigs.sort(Comparator.comparing(ConfigReference::getConfigName));
        c.clearConfigs().addAllConfigs(sortedConfigs);
        c.setReadOnly(flag(svc, "read_only")).setInit(flag(svc, "init"));
        capabilities(c, list(svc, "cap_add"), list(svc, "cap_drop"));
        for (Map.Entry<String, Object> u : map(svc, "ulimits").entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> l = (Map<String, Object>) u.getValue();
            c.addUlimits(Ulimit.newBuilder().setName(u.getKey()).setSoft(num(l, "soft", 0)).setHard(num(l, "hard", 0)));
        }
        c.putAllSysctls(new TreeMap<>(Canon.strings(svc, "sysctls")));
        if (svc.containsKey("dns") || svc.containsKey("dns_search")) {
            c.setDnsConfig(DNSConfig.newBuilder().addAllNameservers(list(svc, "dns")).addAllSearch(list(svc, "dns_search")));
        }
        for (String h : Canon.<String>list(svc, "extra_hosts")) {
            int colon = h.indexOf(':');
            c.addHosts(h.substring(colon + 1) + " " + h.substring(0, colon));
        }
        return c.build();
    }

    /** A secret's or config's file owner as Docker's conversion gives it: "0" unless the file says. */
    private static String owner(Map<String, Object> ref, String key) {
        return ref.containsKey(key) ? str(ref, key) : "0";
    }

    /** The file's permission bits: 0444 unless the file says, as Docker's conversion. */
    private static int fileMode(Map<String, Object> ref) {
        return (int) num(ref, "mode", DEFAULT_FILE_MODE);
    }

    /**
     * As Docker's CLI: names upper-cased with the CAP_ prefix (ALL stays ALL), sorted; a capability
     * both added and dropped is added; adding ALL adds only ALL.
     */
    private static void capabilities(ContainerSpec.Builder c, List<String> add, List<String> drop) {
        TreeSet<String> adds = new TreeSet<>();
        add.forEach(a -> adds.add(capability(a)));
        TreeSet<String> drops = new TreeSet<>();
        drop.forEach(d -> drops.add(capability(d)));
        if (adds.contains("ALL")) {
            adds.retainAll(List.of("ALL"));
            drops.remove("ALL");
        }
        drops.removeAll(adds);
        c.addAllCapabilityAdd(adds).addAllCapabilityDrop(drops);
    }

    private static String capability(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        return n.equals("ALL") || n.startsWith("CAP_") ? n : "CAP_" + n;
    }

    private static List<Mount> mounts(Map<String, Object> svc, At at, Refs refs) {
        List<Mount> out = new ArrayList<>();
        List<Map<String, Object>> volumes = list(svc, "volumes");
        for (int i = 0; i < volumes.size(); i++) {
            out.add(mount(volumes.get(i), at.key("volumes").index(i), refs));
        }
        for (Map<String, Object> t : Canon.<Map<String, Object>>list(svc, "tmpfs")) {
            out.add(mount(t, at.key("tmpfs"), refs));
        }
        return out;
    }

    private static Mount mount(Map<String, Object> m, At at, Refs refs) {
        Mount.Builder b = Mount.newBuilder().setTarget(str(m, "target")).setReadOnly(flag(m, "read_only"));
        switch (str(m, "type")) {
            case "bind" -> b.setType(Mount.Type.BIND).setSource(str(m, "source"));
            case "tmpfs" -> b.setType(Mount.Type.TMPFS).setTmpfsSizeBytes(num(map(m, "tmpfs"), "size", 0));
            default -> {
                b.setType(Mount.Type.VOLUME);
                if (m.containsKey("source")) {
                    String name = refs.volume().apply(str(m, "source"));
                    if (name == null) {
                        throw at.fail("undefined volume \"" + str(m, "source") + "\" (declare it under the top-level volumes)");
                    }
                    b.setSource(name);
                }
            }
        }
        return b.build();
    }

    private static HealthConfig health(Map<String, Object> h) {
        HealthConfig.Builder b = HealthConfig.newBuilder();
        if (flag(h, "disable")) {
            return b.addTest("NONE").build();
        }
        b.addAllTest(list(h, "test"));
        if (h.containsKey("interval")) b.setIntervalMs(millis(h, "interval"));
        if (h.containsKey("timeout")) b.setTimeoutMs(millis(h, "timeout"));
        if (h.containsKey("start_period")) b.setStartPeriodMs(millis(h, "start_period"));
        if (h.containsKey("retries")) b.setRetries((int) num(h, "retries", 0));
        return b.build();
    }

    private static ResourceRequirements resources(Map<String, Object> r) {
        ResourceRequirements.Builder b = ResourceRequirements.newBuilder();
        if (r.containsKey("limits")) {
            b.setLimits(resources(map(r, "limits"), true));
        }
        if (r.containsKey("reservations")) {
            b.setReservations(resources(map(r, "reservations"), false));
        }
        return b.build();
    }

    private static Resources resources(Map<String, Object> m, boolean pids) {
        Resources.Builder b = Resources.newBuilder();
        if (m.containsKey("cpus")) b.setNanoCpus(Units.nanoCpus(str(m, "cpus")));
        if (m.containsKey("memory")) b.setMemoryBytes(num(m, "memory", 0));
        if (pids && m.containsKey("pids")) b.setPids(num(m, "pids", 0));
        return b.build();
    }

    /** deploy.restart_policy, or else (as Docker) the service's {@code restart}: always/unless-stopped any, on-failure. */
    private static RestartPolicy restart(Map<String, Object> svc, Map<String, Object> deploy) {
        RestartPolicy.Builder b = RestartPolicy.newBuilder();
        if (!deploy.containsKey("restart_policy")) {
            if (str(svc, "restart").equals("on-failure")) {
                b.setCondition(RestartPolicy.Condition.ON_FAILURE);
            }
            return b.build();
        }
        Map<String, Object> r = map(deploy, "restart_policy");
        b.setCondition(switch (r.getOrDefault("condition", "any").toString()) {
            case "none" -> RestartPolicy.Condition.NONE;
            case "on-failure" -> RestartPolicy.Condition.ON_FAILURE;
            default -> RestartPolicy.Condition.ANY;
        });
        if (r.containsKey("delay")) b.setDelayMs(millis(r, "delay")).setDelaySet(true);
        if (r.containsKey("max_attempts")) b.setMaxAttempts(num(r, "max_attempts", 0));
        if (r.containsKey("window")) b.setWindowMs(millis(r, "window"));
        return b.build();
    }

    private static Placement placement(Map<String, Object> p) {
        Placement.Builder b = Placement.newBuilder().addAllConstraints(list(p, "constraints"));
        for (Map<String, Object> pref : Canon.<Map<String, Object>>list(p, "preferences")) {
            b.addPreferences(PlacementPreference.newBuilder().setSpreadDescriptor(str(pref, "spread")));
        }
        b.setMaxReplicas(num(p, "max_replicas_per_node", 0));
        return b.build();
    }

    /** Docker's conversion: parallelism 1 unless given, the rest as written (defaults are the cluster's). */
    private static UpdateConfig update(Map<String, Object> u) {
        UpdateConfig.Builder b = UpdateConfig.newBuilder().setParallelism(num(u, "parallelism", 1));
        if (u.containsKey("delay")) b.setDelayMs(millis(u, "delay"));
        if (u.containsKey("monitor")) b.setMonitorMs(millis(u, "monitor"));
        if (u.containsKey("max_failure_ratio")) b.setMaxFailureRatio(((Number) u.get("max_failure_ratio")).floatValue());
        b.setFailureAction(switch (u.getOrDefault("failure_action", "pause").toString()) {
            case "continue" -> UpdateConfig.FailureAction.CONTINUE;
            case "rollback" -> UpdateConfig.FailureAction.ROLLBACK;
            default -> UpdateConfig.FailureAction.PAUSE;
        });
        b.setOrder("start-first".equals(u.get("order")) ? UpdateConfig.Order.START_FIRST : UpdateConfig.Order.STOP_FIRST);
        return b.build();
    }

    private static List<NetworkAttachmentConfig> networks(String name, Map<String, Object> svc, At at, Refs refs) {
        Map<String, Object> nets = map(svc, "networks");
        List<NetworkAttachmentConfig> out = new ArrayList<>();
        for (String n : nets.isEmpty() ? List.of("default") : nets.keySet()) {
            String target = refs.network().apply(n);
            if (target == null) {
                throw at.key("networks").fail("undefined network \"" + n + "\" (declare it under the top-level networks)");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> cfg = nets.get(n) == null ? Map.of() : (Map<String, Object>) nets.get(n);
            List<String> aliases = new ArrayList<>(Canon.<String>list(cfg, "aliases"));
            if (!aliases.contains(name)) {
                aliases.add(name);
            }
            out.add(NetworkAttachmentConfig.newBuilder().setTarget(target).addAllAliases(aliases).build());
        }
        out.sort(Comparator.comparing(NetworkAttachmentConfig::getTarget));
        return out;
    }

    private static EndpointSpec endpoint(Map<String, Object> svc, Map<String, Object> deploy) {
        EndpointSpec.Builder b = EndpointSpec.newBuilder();
        if ("dnsrr".equals(deploy.get("endpoint_mode"))) {
            b.setMode(EndpointSpec.ResolutionMode.DNSRR);
        }
        List<PortConfig> ports = new ArrayList<>();
        for (Map<String, Object> p : Canon.<Map<String, Object>>list(svc, "ports")) {
            ports.add(PortConfig.newBuilder().setTargetPort((int) num(p, "target", 0)).setPublishedPort((int) num(p, "published", 0))
                    .setProtocol("udp".equals(p.get("protocol")) ? PortConfig.Protocol.UDP : PortConfig.Protocol.TCP)
                    .setPublishMode("host".equals(p.get("mode")) ? PortConfig.PublishMode.HOST : PortConfig.PublishMode.INGRESS)
                    .build());
        }
        ports.sort(Comparator.comparingInt(PortConfig::getPublishedPort));
        return b.addAllPorts(ports).build();
    }
}
