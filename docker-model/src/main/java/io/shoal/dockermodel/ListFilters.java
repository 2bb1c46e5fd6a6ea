package io.shoal.dockermodel;

import io.shoal.api.Node;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;

import java.util.Set;

/**
 * Which services, nodes and tasks docker's listing filters keep, with the keys each listing takes
 * ({@code docker service ls|node ls|service ps|node ps --filter}, and the Engine API's
 * {@code filters} parameter): ids and names match by prefix, labels by key or key=value (all must
 * hold), the rest exactly. Values of one key match if any does; different keys must all match.
 */
public final class ListFilters {
    public static final Set<String> SERVICE_KEYS = Set.of("id", "name", "label", "mode");
    public static final Set<String> NODE_KEYS = Set.of("id", "name", "label", "node.label", "role", "membership");
    public static final Set<String> TASK_KEYS = Set.of("id", "name", "label", "node", "service", "desired-state");

    public static final Set<String> MODES = Set.of("replicated", "global", "replicated-job", "global-job");
    public static final Set<String> ROLES = Set.of("manager", "worker");
    public static final Set<String> MEMBERSHIPS = Set.of("accepted", "pending");
    public static final Set<String> DESIRED_STATES = Set.of("running", "shutdown", "accepted", "ready", "complete", "remove");

    private ListFilters() {}

    /** The filters of {@code service ls}; an unknown key, or a malformed one, is an {@link InvalidSpec}. */
    public static Filters services(Filters f) {
        return f;
    }

    /** The filters of {@code node ls}, with role and membership values checked as dockerd checks them. */
    public static Filters nodes(Filters f) {
        return f.only("role", ROLES).only("membership", MEMBERSHIPS);
    }

    /** The filters of {@code service ps} and {@code node ps}, with desired-state values checked. */
    public static Filters tasks(Filters f) {
        return f.only("desired-state", DESIRED_STATES);
    }

    /** {@code replicated}, {@code global}, {@code replicated-job} or {@code global-job}. */
    public static String mode(ServiceSpec s) {
        return switch (s.getModeCase()) {
            case GLOBAL -> "global";
            case REPLICATED_JOB -> "replicated-job";
            case GLOBAL_JOB -> "global-job";
            default -> "replicated";
        };
    }

    public static boolean matches(Filters f, Service s) {
        return f.prefix("id", s.getId()) && f.prefix("name", s.getSpec().getAnnotations().getName())
                && f.exact("mode", mode(s.getSpec())) && f.labels("label", s.getSpec().getAnnotations().getLabelsMap());
    }

    /** {@code label} is the daemon's (engine) labels, {@code node.label} the node's own; every node is accepted. */
    public static boolean matches(Filters f, Node n) {
        return f.prefix("id", n.getId()) && f.prefix("name", n.getDescription().getHostname())
                && f.labels("label", n.getDescription().getEngineLabelsMap())
                && f.labels("node.label", n.getSpec().getAnnotations().getLabelsMap())
                && f.exact("role", Names.role(n.getSpec().getDesiredRole()))
                && f.exact("membership", "accepted");
    }

    /**
     * @param name        the task's name as listings show it ({@code service.slot}, or {@code service.nodeid} for global tasks)
     * @param serviceName its service's name
     * @param hostname    its node's hostname (empty when not placed)
     */
    public static boolean matches(Filters f, Task t, String name, String serviceName, String hostname) {
        return f.prefix("id", t.getId()) && f.prefix("name", name)
                && f.labels("label", t.getAnnotations().getLabelsMap())
                && f.any("service", v -> t.getServiceId().startsWith(v) || v.equals(serviceName))
                && f.any("node", v -> !t.getNodeId().isEmpty() && (t.getNodeId().startsWith(v) || v.equals(hostname)))
                && f.any("desired-state", v -> v.equalsIgnoreCase(Names.taskState(t.getDesiredState())));
    }
}
