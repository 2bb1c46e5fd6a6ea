package io.shoal.manager.store;

import io.shoal.api.Service;
import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.ApplyResult.Refusal;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a batch may do, decided before {@link ClusterStore#apply} changes anything (all actions or
 * none): every action is checked against the state the batch's earlier actions leave, on an overlay
 * of the store's maps, so a batch that creates a service and then its tasks passes, and one that
 * refers to what an earlier action removed does not. Reads the store's own maps, under its write
 * lock; deterministic, so every replica refuses the same batches with the same {@link Refusal}.
 */
final class BatchCheck {
    private final Map<ObjectKind, TreeMap<String, StoreObject>> tables;
    private final Map<ObjectKind, HashMap<String, StoreObject>> byId;
    private final Map<ObjectKind, Map<String, String>> names;

    /** Why a batch is refused, for the {@link ApplyResult}. */
    record Refused(Refusal why, String message) {}

    BatchCheck(Map<ObjectKind, TreeMap<String, StoreObject>> tables, Map<ObjectKind, HashMap<String, StoreObject>> byId,
               Map<ObjectKind, Map<String, String>> names) {
        this.tables = tables;
        this.byId = byId;
        this.names = names;
    }

    /** Checks a whole batch against the state it would see action by action; null when it applies. */
    Refused refusal(StoreBatch batch) {
        // simulate the batch on an overlay so later actions see earlier ones
        Map<ObjectKind, Map<String, Optional<StoreObject>>> overlay = new EnumMap<>(ObjectKind.class);
        Map<ObjectKind, Map<String, Optional<String>>> nameOverlay = new EnumMap<>(ObjectKind.class);
        for (StoreAction a : batch.getActionsList()) {
            if (a.getKind() == StoreAction.Kind.TASK_STATUS) {
                if (a.getStatus().getTaskId().isEmpty()) {
                    return new Refused(Refusal.INVALID, "invalid write: a task status names no task");
                }
                continue; // applies or not at apply time, never fails the batch
            }
            if (a.getObject().getObjectCase() == StoreObject.ObjectCase.OBJECT_NOT_SET) {
                return new Refused(Refusal.INVALID, "invalid write: an action has no object");
            }
            ObjectKind kind = StoreObjects.kind(a.getObject());
            String id = StoreObjects.id(a.getObject());
            if (id.isEmpty()) {
                return new Refused(Refusal.INVALID, "invalid write: a " + kind.word() + " needs an id");
            }
            Map<String, Optional<StoreObject>> ov = overlay.computeIfAbsent(kind, k -> new HashMap<>());
            Map<String, Optional<String>> nov = nameOverlay.computeIfAbsent(kind, k -> new HashMap<>());
            StoreObject current = ov.containsKey(id) ? ov.get(id).orElse(null) : byId.get(kind).get(id);
            String name = StoreObjects.name(a.getObject());
            switch (a.getKind()) {
                case CREATE -> {
                    if (current != null) {
                        return new Refused(Refusal.EXISTS, kind.word() + " " + id + " already exists");
                    }
                    Refused clash = nameClash(kind, name, id, nov);
                    if (clash != null) {
                        return clash;
                    }
                    ov.put(id, Optional.of(a.getObject()));
                    if (kind.uniqueNames() && !name.isEmpty()) {
                        nov.put(name, Optional.of(id));
                    }
                }
                case UPDATE, REMOVE -> {
                    if (current == null) {
                        return new Refused(Refusal.NOT_FOUND, kind.word() + " " + id + " does not exist");
                    }
                    long have = StoreObjects.meta(current).getVersion();
                    if (a.getExpectedVersion() != 0 && a.getExpectedVersion() != have) {
                        return new Refused(Refusal.CONFLICT, "update conflict: " + kind.word() + " " + id
                                + " changed (version " + have + ", expected " + a.getExpectedVersion() + ")");
                    }
                    String oldName = StoreObjects.name(current);
                    if (a.getKind() == StoreAction.Kind.UPDATE) {
                        if (!name.equals(oldName)) {
                            Refused clash = nameClash(kind, name, id, nov);
                            if (clash != null) {
                                return clash;
                            }
                            if (kind.uniqueNames()) {
                                nov.put(oldName, Optional.empty());
                                if (!name.isEmpty()) {
                                    nov.put(name, Optional.of(id));
                                }
                            }
                        }
                        ov.put(id, Optional.of(a.getObject()));
                    } else {
                        ov.put(id, Optional.empty());
                        if (kind.uniqueNames()) {
                            nov.put(oldName, Optional.empty());
                        }
                    }
                }
                default -> {
                    return new Refused(Refusal.INVALID, "invalid write: unknown action " + a.getKind());
                }
            }
            String broken = References.check(a, current, (k, i) -> current(overlay, k, i), () -> services(overlay));
            if (broken != null) {
                return new Refused(Refusal.REFERENCE, broken);
            }
        }
        return null;
    }

    /** An object as a batch being validated has it so far. */
    private StoreObject current(Map<ObjectKind, Map<String, Optional<StoreObject>>> overlay, ObjectKind kind, String id) {
        Map<String, Optional<StoreObject>> ov = overlay.get(kind);
        return ov != null && ov.containsKey(id) ? ov.get(id).orElse(null) : byId.get(kind).get(id);
    }

    /** Every service as a batch being validated has it so far. */
    private List<Service> services(Map<ObjectKind, Map<String, Optional<StoreObject>>> overlay) {
        Map<String, Optional<StoreObject>> ov = overlay.getOrDefault(ObjectKind.SERVICE, Map.of());
        List<Service> out = new ArrayList<>();
        for (StoreObject o : tables.get(ObjectKind.SERVICE).values()) {
            if (!ov.containsKey(StoreObjects.id(o))) {
                out.add(o.getService());
            }
        }
        ov.values().forEach(o -> o.ifPresent(x -> out.add(x.getService())));
        return out;
    }

    private Refused nameClash(ObjectKind kind, String name, String id, Map<String, Optional<String>> nov) {
        if (!kind.uniqueNames() || name.isEmpty()) {
            return null;
        }
        String owner = nov.containsKey(name) ? nov.get(name).orElse(null) : names.get(kind).get(name);
        if (owner != null && !owner.equals(id)) {
            return new Refused(Refusal.NAME_IN_USE, kind.word() + " name " + name + " is already in use");
        }
        return null;
    }
}
