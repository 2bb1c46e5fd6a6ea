package io.shoal.manager.dispatcher;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Cluster;
import io.shoal.api.Config;
import io.shoal.api.Secret;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.References;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The secrets and configs one assignments stream sends its node: those that the node's tasks from
 * ASSIGNED to RUNNING read (as swarmkit's assignment set: a task past RUNNING needs them no more),
 * all of them in a full message, then only the new or changed ones and the ids of those no task
 * there reads any more, so that the node forgets them. A secret's value is opened from its sealed
 * form just before it goes on the stream, and nowhere else.
 */
final class Dependencies {
    private static final Logger LOG = LoggerFactory.getLogger(Dependencies.class);

    private final SecretCipher cipher;
    /** id -> version of what this stream sent and the node holds */
    private final Map<String, Long> sentSecrets = new HashMap<>();
    private final Map<String, Long> sentConfigs = new HashMap<>();

    /** What a node's tasks read now, as stored (secret values sealed), by id; and the cluster object, whose data key opens them. */
    record Needed(Map<String, Secret> secrets, Map<String, Config> configs, Cluster cluster) {
        static final Needed NONE = new Needed(Map.of(), Map.of(), Cluster.getDefaultInstance());

        static Needed of(ReadTx tx, Iterable<Task> tasks) {
            Map<String, Secret> secrets = null;
            Map<String, Config> configs = null;
            for (Task t : tasks) {
                if (!uses(t)) {
                    continue;
                }
                var c = t.getSpec().getContainer();
                if (c.getSecretsCount() > 0) {
                    secrets = secrets == null ? new TreeMap<>() : secrets;
                    for (String id : References.secretIds(t.getSpec())) {
                        Map<String, Secret> into = secrets;
                        tx.get(ObjectKind.SECRET, id).ifPresent(o -> into.put(id, o.getSecret()));
                    }
                }
                if (c.getConfigsCount() > 0) {
                    configs = configs == null ? new TreeMap<>() : configs;
                    for (String id : References.configIds(t.getSpec())) {
                        Map<String, Config> into = configs;
                        tx.get(ObjectKind.CONFIG, id).ifPresent(o -> into.put(id, o.getConfig()));
                    }
                }
            }
            if (secrets == null && configs == null) {
                return NONE;
            }
            return new Needed(secrets == null ? Map.of() : secrets, configs == null ? Map.of() : configs,
                    secrets == null ? Cluster.getDefaultInstance() : tx.cluster().orElse(Cluster.getDefaultInstance()));
        }
    }

    /** A task holds its secrets and configs on its node from ASSIGNED until it is past RUNNING. */
    static boolean uses(Task t) {
        int s = t.getStatus().getState().getNumber();
        return s >= TaskState.TASK_STATE_ASSIGNED_VALUE && s <= TaskState.TASK_STATE_RUNNING_VALUE;
    }

    Dependencies(SecretCipher cipher) {
        this.cipher = cipher;
    }

    /**
     * Adds to {@code msg} what the node must learn or forget; {@code msg} is the stream's next
     * message (null when nothing else is to be sent; a full one resends everything). Returns the
     * message, or null when there is still nothing to send.
     */
    AssignmentsMessage.Builder into(AssignmentsMessage.Builder msg, Needed now) {
        boolean full = msg != null && msg.getFull();
        if (full) {
            sentSecrets.clear();
            sentConfigs.clear();
        }
        AssignmentsMessage.Builder b = msg != null ? msg : AssignmentsMessage.newBuilder();
        for (Secret s : now.secrets().values()) {
            Long had = sentSecrets.get(s.getId());
            if (had == null || had != s.getMeta().getVersion()) {
                try {
                    b.addSecrets(cipher.reveal(now.cluster(), s));
                    sentSecrets.put(s.getId(), s.getMeta().getVersion());
                } catch (RuntimeException e) {
                    // its tasks are refused on the node ("not available"); the other assignments go on
                    LOG.warn("cannot open secret {} ({}): {}", s.getSpec().getAnnotations().getName(), s.getId(), e.getMessage());
                }
            }
        }
        for (Config c : now.configs().values()) {
            Long had = sentConfigs.get(c.getId());
            if (had == null || had != c.getMeta().getVersion()) {
                b.addConfigs(c);
                sentConfigs.put(c.getId(), c.getMeta().getVersion());
            }
        }
        sentSecrets.keySet().removeIf(id -> {
            boolean gone = !now.secrets().containsKey(id);
            if (gone && !full) {
                b.addRemovedSecrets(id);
            }
            return gone;
        });
        sentConfigs.keySet().removeIf(id -> {
            boolean gone = !now.configs().containsKey(id);
            if (gone && !full) {
                b.addRemovedConfigs(id);
            }
            return gone;
        });
        boolean changed = b.getSecretsCount() > 0 || b.getConfigsCount() > 0 || b.getRemovedSecretsCount() > 0
                || b.getRemovedConfigsCount() > 0;
        return msg != null || changed ? b : null;
    }
}
