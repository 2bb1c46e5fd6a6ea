package io.shoal.compose;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Which keys a compose file may hold where, and what a stack does with each. */
final class Keys {
    static final Set<String> TOP = Set.of("version", "name", "services", "networks", "volumes", "secrets", "configs");

    /** Service keys translated to a service spec. */
    static final Set<String> SERVICE = Set.of("image", "command", "entrypoint", "environment", "env_file", "labels",
            "user", "working_dir", "hostname", "stop_grace_period", "stop_signal", "healthcheck", "ports", "networks",
            "volumes", "secrets", "configs", "read_only", "tmpfs", "init", "cap_add", "cap_drop", "ulimits", "sysctls",
            "dns", "dns_search", "extra_hosts", "deploy");

    /** Keys swarm mode ignores, as Docker lists them ("Ignoring unsupported options: ..."), and depends_on. */
    static final Set<String> UNSUPPORTED = Set.of("build", "cgroupns_mode", "cgroup_parent", "devices", "domainname",
            "external_links", "ipc", "links", "mac_address", "network_mode", "pid", "privileged", "restart", "security_opt",
            "shm_size", "userns_mode", "depends_on");

    /**
     * Keys of the compose specification that a stack ignores as well (Docker 20.10 refuses most of
     * them outright; see docs/stacks.md), and the keys Docker converts that Shoal's runtime has no
     * counterpart for yet (logging drivers, terminals, Windows-only options).
     */
    static final Set<String> IGNORED = Set.of("annotations", "attach", "blkio_config", "cpu_count", "cpu_percent",
            "cpu_period", "cpu_rt_period", "cpu_rt_runtime", "cpus", "develop", "device_cgroup_rules", "dns_opt", "gpus",
            "group_add", "label_file", "mem_reservation", "mem_swappiness", "oom_kill_disable", "oom_score_adj",
            "platform", "post_start", "pre_stop", "profiles", "pull_policy", "runtime", "scale", "storage_opt", "uts",
            "logging", "tty", "stdin_open", "isolation", "credential_spec", "models", "provider", "use_api_socket");

    /** Docker's deprecated keys, with its explanation ("Ignoring deprecated options: ..."). */
    static final Map<String, String> DEPRECATED = new TreeMap<>(Map.of(
            "container_name", "Setting the container name is not supported.",
            "expose", "Exposing ports is unnecessary - services on the same network can access each other's containers on any port."));

    /** Keys Docker refuses in a stack, with its advice. */
    static final Map<String, String> FORBIDDEN = new TreeMap<>(Map.of(
            "extends", "Support for `extends` is not implemented yet.",
            "volume_driver", "Instead of setting the volume driver on the service, define a volume using the top-level `volumes` option and specify the driver there.",
            "volumes_from", "To share a volume between services, define it using the top-level `volumes` option and reference it from each service that shares it using the service-level `volumes` option.",
            "cpu_quota", "Set resource limits using deploy.resources",
            "cpu_shares", "Set resource limits using deploy.resources",
            "cpuset", "Set resource limits using deploy.resources",
            "mem_limit", "Set resource limits using deploy.resources",
            "memswap_limit", "Set resource limits using deploy.resources"));

    static final Set<String> DEPLOY = Set.of("mode", "replicas", "labels", "placement", "resources", "restart_policy",
            "update_config", "rollback_config", "endpoint_mode");
    static final Set<String> PLACEMENT = Set.of("constraints", "preferences", "max_replicas_per_node");
    static final Set<String> RESOURCES = Set.of("limits", "reservations");
    static final Set<String> LIMITS = Set.of("cpus", "memory", "pids");
    static final Set<String> RESERVATIONS = Set.of("cpus", "memory", "generic_resources", "devices");
    static final Set<String> RESTART_POLICY = Set.of("condition", "delay", "max_attempts", "window");
    static final Set<String> UPDATE_CONFIG = Set.of("parallelism", "delay", "failure_action", "monitor",
            "max_failure_ratio", "order");
    static final Set<String> HEALTHCHECK = Set.of("test", "interval", "timeout", "retries", "start_period",
            "start_interval", "disable");
    static final Set<String> PORT = Set.of("mode", "target", "published", "protocol", "host_ip", "name", "app_protocol");
    static final Set<String> MOUNT = Set.of("type", "source", "target", "read_only", "consistency", "bind", "volume",
            "tmpfs");
    static final Set<String> FILE_REF = Set.of("source", "target", "uid", "gid", "mode");
    static final Set<String> SERVICE_NETWORK = Set.of("aliases", "ipv4_address", "ipv6_address", "link_local_ips",
            "priority", "mac_address", "driver_opts", "gw_priority", "interface_name");
    static final Set<String> NETWORK = Set.of("driver", "driver_opts", "attachable", "internal", "ipam", "external",
            "name", "labels", "enable_ipv6", "enable_ipv4");
    static final Set<String> IPAM = Set.of("driver", "config", "options");
    static final Set<String> IPAM_CONFIG = Set.of("subnet", "gateway", "ip_range", "aux_addresses");
    static final Set<String> VOLUME = Set.of("driver", "driver_opts", "external", "name", "labels");
    static final Set<String> FILE_OBJECT = Set.of("file", "external", "name", "labels", "environment", "content",
            "driver", "driver_opts", "template_driver");

    private Keys() {}
}
