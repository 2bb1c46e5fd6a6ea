package io.shoal.worker.agent;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Config;
import io.shoal.api.Secret;
import io.shoal.api.Task;
import io.shoal.worker.exec.Dependencies;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The secrets and configs this node's tasks read, as the assignments stream sent them: in memory
 * only, never on disk. A full message replaces them all; a change adds or replaces some and
 * forgets the ones the managers say no task here reads any more. Each task sees only what its
 * own spec names ({@link #forTask}).
 */
final class DependencyStore {
    private final Map<String, Secret> secrets = new HashMap<>();
    private final Map<String, Config> configs = new HashMap<>();

    /** Applies what one assignments message says about secrets and configs. */
    synchronized void apply(AssignmentsMessage m) {
        if (m.getFull()) {
            secrets.clear();
            configs.clear();
        }
        m.getRemovedSecretsList().forEach(secrets::remove);
        m.getRemovedConfigsList().forEach(configs::remove);
        m.getSecretsList().forEach(s -> secrets.put(s.getId(), s));
        m.getConfigsList().forEach(c -> configs.put(c.getId(), c));
    }

    synchronized Set<String> secretIds() {
        return Set.copyOf(secrets.keySet());
    }

    synchronized Set<String> configIds() {
        return Set.copyOf(configs.keySet());
    }

    /** What {@code task} may read: the secrets and configs its spec names, looked up when it asks. */
    Dependencies forTask(Task task) {
        Set<String> secretIds = task.getSpec().getContainer().getSecretsList().stream()
                .map(r -> r.getSecretId()).collect(Collectors.toUnmodifiableSet());
        Set<String> configIds = task.getSpec().getContainer().getConfigsList().stream()
                .map(r -> r.getConfigId()).collect(Collectors.toUnmodifiableSet());
        if (secretIds.isEmpty() && configIds.isEmpty()) {
            return Dependencies.NONE;
        }
        return new Dependencies() {
            @Override
            public Optional<Secret> secret(String id) {
                if (!secretIds.contains(id)) {
                    return Optional.empty();
                }
                synchronized (DependencyStore.this) {
                    return Optional.ofNullable(secrets.get(id));
                }
            }

            @Override
            public Optional<Config> config(String id) {
                if (!configIds.contains(id)) {
                    return Optional.empty();
                }
                synchronized (DependencyStore.this) {
                    return Optional.ofNullable(configs.get(id));
                }
            }
        };
    }
}
