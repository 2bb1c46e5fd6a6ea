package io.shoal.manager.orchestrator;

import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;

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

    /** Collects the services and nodes a burst of store events touched. */
    public static final class Gatherer {
        private boolean all;
        private final Set<String> services = new java.util.HashSet<>();
        private final Set<String> nodes = new java.util.HashSet<>();

        public void add(StoreEvent e) {
            if (e.type() == StoreEvent.Type.RESET) {
                all = true;
                return;
            }
            var obj = e.after() != null ? e.after() : e.before();
            if (obj == null) {
                return;
            }
            switch (StoreObjects.kind(obj)) {
                case TASK -> {
                    if (e.before() != null) {
                        services.add(e.before().getTask().getServiceId());
                    }
                    if (e.after() != null) {
                        services.add(e.after().getTask().getServiceId());
                    }
                }
                case SERVICE -> services.add(StoreObjects.id(obj));
                case NODE -> nodes.add(StoreObjects.id(obj));
                default -> all = true; // networks, the cluster object, secrets, configs: rare, look at everything
            }
        }

        public Changes changes() {
            return all ? ALL : new Changes(false, services, nodes);
        }
    }
}
