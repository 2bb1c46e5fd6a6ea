package io.shoal.manager.store;

import io.shoal.api.ConfigReference;
import io.shoal.api.SecretReference;
import io.shoal.api.Service;
import io.shoal.api.TaskSpec;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What a service names that must exist for as long as the service does: the secrets and configs
 * its tasks read. The store keeps this true when it applies a batch, so on every replica alike: a
 * service may not name a secret or config that does not exist, and a secret or config may not go
 * while a service names it. Checked here as well as in the Control API because the two writes can
 * race: a {@code secret rm} and a {@code service create} that names the secret, each valid against
 * the view it was decided on, cannot both apply.
 */
public final class References {
    private References() {}

    /** The ids of the secrets a task spec reads, in order, once each. */
    public static Set<String> secretIds(TaskSpec t) {
        Set<String> out = new LinkedHashSet<>();
        for (SecretReference r : t.getContainer().getSecretsList()) {
            out.add(r.getSecretId());
        }
        return out;
    }

    /** The ids of the configs a task spec reads, in order, once each. */
    public static Set<String> configIds(TaskSpec t) {
        Set<String> out = new LinkedHashSet<>();
        for (ConfigReference r : t.getContainer().getConfigsList()) {
            out.add(r.getConfigId());
        }
        return out;
    }

    /** The names of the services that read the secret or config {@code id} ({@code kind} SECRET or CONFIG). */
    public static List<String> servicesUsing(Collection<Service> services, ObjectKind kind, String id) {
        List<String> out = new ArrayList<>();
        for (Service s : services) {
            Set<String> ids = kind == ObjectKind.SECRET ? secretIds(s.getSpec().getTask()) : configIds(s.getSpec().getTask());
            if (ids.contains(id)) {
                out.add(s.getSpec().getAnnotations().getName());
            }
        }
        return out;
    }

    /** "secret 'db' is in use by the following service: web", as swarm mode says it. */
    public static String inUse(ObjectKind kind, String name, List<String> services) {
        return kind.word() + " '" + name + "' is in use by the following service" + (services.size() > 1 ? "s" : "") + ": "
                + String.join(", ", services);
    }

    /**
     * Why an action, applied after the batch's earlier ones, would break a reference; null when it
     * does not.
     *
     * @param before   the object the action replaces or removes (null for a create)
     * @param current  kind and id to the object as the batch has it so far (null when absent)
     * @param services every service as the batch has it so far (asked only for removals)
     */
    static String check(StoreAction a, StoreObject before, BiFunction<ObjectKind, String, StoreObject> current,
                        Supplier<Collection<Service>> services) {
        StoreObject o = a.getObject();
        ObjectKind kind = StoreObjects.kind(o);
        if (kind == ObjectKind.SERVICE && a.getKind() != StoreAction.Kind.REMOVE) {
            TaskSpec was = before == null ? null : before.getService().getSpec().getTask();
            TaskSpec now = o.getService().getSpec().getTask();
            String missing = missing(ObjectKind.SECRET, secretIds(now), was == null ? Set.of() : secretIds(was), current);
            return missing != null ? missing : missing(ObjectKind.CONFIG, configIds(now), was == null ? Set.of() : configIds(was), current);
        }
        if ((kind == ObjectKind.SECRET || kind == ObjectKind.CONFIG) && a.getKind() == StoreAction.Kind.REMOVE) {
            List<String> users = servicesUsing(services.get(), kind, StoreObjects.id(o));
            return users.isEmpty() ? null : inUse(kind, StoreObjects.name(before != null ? before : o), users);
        }
        return null;
    }

    /** The first id a service names anew that does not exist (ids it named before stay its own business). */
    private static String missing(ObjectKind kind, Set<String> ids, Set<String> named, BiFunction<ObjectKind, String, StoreObject> current) {
        for (String id : ids) {
            if (!named.contains(id) && current.apply(kind, id) == null) {
                return kind.word() + " " + (id.isEmpty() ? "(no id)" : id) + " does not exist";
            }
        }
        return null;
    }
}
