package io.shoal.manager.orchestrator;

import java.util.Set;

/**
 * What changed in the store since a loop's previous pass: the services whose tasks or spec
 * changed, and the nodes that changed. A loop may look at only what these touch; {@link #ALL}
 * (the first pass, after a snapshot, the periodic pass for time-based decisions) means look at
 * everything.
 */
public record Changes(boolean all, Set<String> services, Set<String> nodes) {
    public static final Changes ALL = new Changes(true, Set.of(), Set.of());

    public Changes {
        services = Set.copyOf(services);
        nodes = Set.copyOf(nodes);
    }

    public boolean isEmpty() {
        return !all && services.isEmpty() && nodes.isEmpty();
    }
}
