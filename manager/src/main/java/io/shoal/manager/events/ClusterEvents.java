package io.shoal.manager.events;

import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import io.shoal.api.Node;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.Task;
import io.shoal.api.UpdateStatus;
import io.shoal.api.raft.StoreObject;
import io.shoal.api.raft.StoreSnapshot;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreObjects;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns store changes into docker's events, as dockerd does for swarm objects: type and action,
 * the object's id and name, and for an update what changed that docker reports (a service's image,
 * replicas and update state; a node's availability, role and state), as {@code KEY.old} and
 * {@code KEY.new} attributes. Shoal adds task events (name, service, node, state and desired
 * state). The cluster object has no event, as in docker.
 *
 * <p>Keeps the names of services and nodes it has seen, so a task's event can name them; not
 * thread-safe (one recorder feeds it, in log order).
 */
final class ClusterEvents {
    private final Map<String, String> serviceNames = new HashMap<>();
    private final Map<String, String> nodeNames = new HashMap<>();

    /** Learns the names of the state a watch began with (or a snapshot that replaced it). */
    void seed(StoreSnapshot state) {
        serviceNames.clear();
        nodeNames.clear();
        for (StoreObject o : state.getObjectsList()) {
            learn(o);
        }
    }

    private void learn(StoreObject o) {
        if (o.hasService()) {
            serviceNames.put(o.getService().getId(), o.getService().getSpec().getAnnotations().getName());
        } else if (o.hasNode()) {
            nodeNames.put(o.getNode().getId(), nodeName(o.getNode()));
        }
    }

    /** The event for {@code e}, the {@code ordinal}-th change of its entry; empty for changes docker has no event for. */
    Optional<Event> convert(StoreEvent e, int ordinal) {
        Recorded r = record(e, ordinal);
        return r == null ? Optional.empty() : Optional.of(r.event());
    }

    /**
     * What {@link #convert} would make of {@code e}, kept so that the event is built only when read
     * (with the names known now); null for changes docker has no event for.
     */
    Recorded record(StoreEvent e, int ordinal) {
        if (e.type() == StoreEvent.Type.RESET) {
            return null;
        }
        StoreObject now = e.after() != null ? e.after() : e.before();
        ObjectKind kind = StoreObjects.kind(now);
        if (kind == ObjectKind.CLUSTER) {
            return null;
        }
        long timeNanos = (e.timestampMs() != 0 ? e.timestampMs() : StoreObjects.meta(now).getUpdatedMs()) * 1_000_000L;
        Recorded r = kind == ObjectKind.TASK
                ? new Recorded(e, ordinal, timeNanos, serviceNames.getOrDefault(now.getTask().getServiceId(), ""),
                        nodeNames.get(now.getTask().getNodeId()))
                : new Recorded(e, ordinal, timeNanos, null, null);
        if (e.type() == StoreEvent.Type.REMOVE) {
            forget(now);
        } else {
            learn(now);
        }
        return r;
    }

    /** The event of a change recorded by {@link #record}; {@code service} and {@code host}: the task's names then. */
    static Event build(StoreEvent e, int ordinal, long timeNanos, String service, String host) {
        StoreObject now = e.after() != null ? e.after() : e.before();
        ObjectKind kind = StoreObjects.kind(now);
        Event.Builder b = Event.newBuilder()
                .setType(kind.word())
                .setAction(action(e.type()))
                .setActorId(StoreObjects.id(now))
                .setTimeNanos(timeNanos)
                .setCursor(EventCursor.newBuilder().setIndex(e.index()).setOrdinal(ordinal));
        switch (kind) {
            case SERVICE -> service(b, e.before() == null ? null : e.before().getService(), e.after() == null ? null : e.after().getService());
            case NODE -> node(b, e.before() == null ? null : e.before().getNode(), e.after() == null ? null : e.after().getNode());
            case TASK -> task(b, e.before() == null ? null : e.before().getTask(), e.after() == null ? null : e.after().getTask(),
                    service, host);
            default -> b.putAttributes("name", StoreObjects.name(now));
        }
        return b.build();
    }

    private static String action(StoreEvent.Type t) {
        return switch (t) {
            case CREATE -> "create";
            case UPDATE -> "update";
            case REMOVE -> "remove";
            case RESET -> "reset";
        };
    }

    private void forget(StoreObject o) {
        // a removed service's tasks may still be removed after it: keep names until the end of their lives
        if (o.hasNode()) {
            nodeNames.remove(o.getNode().getId());
        }
    }

    private static void service(Event.Builder b, Service before, Service after) {
        Service s = after != null ? after : before;
        b.putAttributes("name", s.getSpec().getAnnotations().getName());
        if (before == null || after == null) {
            return;
        }
        changed(b, "image", before.getSpec().getTask().getContainer().getImage(), after.getSpec().getTask().getContainer().getImage());
        changed(b, "replicas", replicas(before.getSpec()), replicas(after.getSpec()));
        String oldState = updateState(before);
        String newState = updateState(after);
        if (!newState.isEmpty() && !newState.equals(oldState)) {
            if (!oldState.isEmpty()) {
                b.putAttributes("updatestate.old", oldState);
            }
            b.putAttributes("updatestate.new", newState);
        }
    }

    private static String replicas(ServiceSpec s) {
        return s.hasReplicated() ? Long.toString(s.getReplicated().getReplicas()) : "";
    }

    private static String updateState(Service s) {
        return !s.hasUpdateStatus() || s.getUpdateStatus().getState() == UpdateStatus.State.UNKNOWN ? ""
                : s.getUpdateStatus().getState().name().toLowerCase(Locale.ROOT);
    }

    private static void node(Event.Builder b, Node before, Node after) {
        Node n = after != null ? after : before;
        b.putAttributes("name", nodeName(n));
        if (before == null || after == null) {
            return;
        }
        changed(b, "availability", word(before.getSpec().getAvailability(), "NODE_AVAILABILITY_"),
                word(after.getSpec().getAvailability(), "NODE_AVAILABILITY_"));
        changed(b, "role", word(before.getRole(), "NODE_ROLE_"), word(after.getRole(), "NODE_ROLE_"));
        changed(b, "state", word(before.getStatus().getState(), ""), word(after.getStatus().getState(), ""));
    }

    private static void task(Event.Builder b, Task before, Task after, String service, String host) {
        Task t = after != null ? after : before;
        b.putAttributes("name", t.getAnnotations().getName().isEmpty() ? service + "." + t.getSlot() : t.getAnnotations().getName());
        b.putAttributes("service.id", t.getServiceId());
        if (!service.isEmpty()) {
            b.putAttributes("service.name", service);
        }
        if (!t.getNodeId().isEmpty()) {
            b.putAttributes("node.id", t.getNodeId());
            if (host != null) {
                b.putAttributes("node.name", host);
            }
        }
        if (before == null || after == null) {
            b.putAttributes("state", word(t.getStatus().getState(), "TASK_STATE_"));
            b.putAttributes("desiredstate", word(t.getDesiredState(), "TASK_STATE_"));
            return;
        }
        changed(b, "state", word(before.getStatus().getState(), "TASK_STATE_"), word(after.getStatus().getState(), "TASK_STATE_"));
        changed(b, "desiredstate", word(before.getDesiredState(), "TASK_STATE_"), word(after.getDesiredState(), "TASK_STATE_"));
        if (!before.getNodeId().isEmpty() && !before.getNodeId().equals(after.getNodeId())) {
            b.putAttributes("node.id.old", before.getNodeId());
        }
    }

    private static void changed(Event.Builder b, String key, String before, String after) {
        if (!before.equals(after)) {
            b.putAttributes(key + ".old", before);
            b.putAttributes(key + ".new", after);
        }
    }

    private static String nodeName(Node n) {
        String name = n.getSpec().getAnnotations().getName();
        return name.isEmpty() ? n.getDescription().getHostname() : name;
    }

    private static String word(Enum<?> e, String prefix) {
        String n = e.name();
        return (n.startsWith(prefix) ? n.substring(prefix.length()) : n).toLowerCase(Locale.ROOT);
    }
}
