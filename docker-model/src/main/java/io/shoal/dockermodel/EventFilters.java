package io.shoal.dockermodel;

import io.shoal.api.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Docker's {@code events --filter} for cluster events: the keys it takes, and which events they
 * keep. Values of one key match if any does; different keys must all match.
 */
public final class EventFilters {
    /** What {@code docker events --filter} takes for cluster events, plus Shoal's {@code task}. */
    public static final Set<String> KEYS = Set.of("type", "event", "scope", "label", "service", "node", "network",
            "secret", "config", "task");
    public static final Set<String> TYPES = Set.of("service", "node", "network", "secret", "config", "task");

    private EventFilters() {}

    /** From the Control API's filters (key to values), checked as {@link #filters} checks them. */
    public static Filters of(Map<String, List<String>> byKey) {
        List<String> args = new ArrayList<>();
        byKey.forEach((k, vs) -> vs.forEach(v -> args.add(k + "=" + v)));
        return filters(Filters.args(args, KEYS));
    }

    /** The filters of {@code events}, with type and scope values checked. */
    public static Filters filters(Filters f) {
        return f.only("type", TYPES).only("scope", Set.of("swarm", "local"));
    }

    /**
     * Docker's rules: {@code type}, {@code event} (the action) and {@code scope} exactly; an object key
     * ({@code service}, {@code node}, ...) matches an event of that type by its ID's prefix or its name,
     * and Shoal's task events also by their service's or node's; {@code label} matches the attributes.
     */
    public static boolean matches(Filters f, Event e) {
        var a = e.getAttributesMap();
        return f.exact("type", e.getType()) && f.exact("event", e.getAction()) && f.exact("scope", "swarm")
                && f.labels("label", a)
                && object(f, "service", e, a.getOrDefault("service.id", ""), a.getOrDefault("service.name", ""))
                && object(f, "node", e, a.getOrDefault("node.id", ""), a.getOrDefault("node.name", ""))
                && object(f, "network", e, "", "")
                && object(f, "secret", e, "", "")
                && object(f, "config", e, "", "")
                && object(f, "task", e, "", "");
    }

    private static boolean object(Filters f, String type, Event e, String relatedId, String relatedName) {
        String name = e.getAttributesOrDefault("name", "");
        return f.any(type, v -> (e.getType().equals(type) && (e.getActorId().startsWith(v) || v.equals(name)))
                || (!relatedId.isEmpty() && (relatedId.startsWith(v) || v.equals(relatedName))));
    }
}
