package io.shoal.manager.control;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.References;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.util.List;

/**
 * What secrets and configs share, as swarm mode has them: both are named files a service's tasks
 * read, with the same name rule, a size limit, and no removal while a service names them.
 */
final class FileObjects {
    /** swarm mode's rule: 64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit */
    private static final String NAME = "[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9])?";

    private FileObjects() {}

    /** Refuses a bad name, bad labels, or data that is empty or {@code max} bytes or more. */
    static void validate(ObjectKind kind, Annotations a, ByteString data, int max) {
        String name = a.getName();
        if (name.isEmpty()) {
            throw Calls.invalid(kind.word() + " name: a name is required");
        }
        if (!name.matches(NAME)) {
            throw Calls.invalid(kind.word() + " name: '" + name + "' must be at most 64 letters, digits, '-', '_' or '.',"
                    + " starting and ending with a letter or digit");
        }
        for (String k : a.getLabelsMap().keySet()) {
            if (k.isBlank()) {
                throw Calls.invalid(kind.word() + " label: a label needs a key");
            }
        }
        if (data.isEmpty() || data.size() >= max) {
            throw Calls.invalid(kind.word() + " data must be larger than 0 and less than " + max / 1024 + " KiB ("
                    + data.size() + " bytes given)");
        }
    }

    /** Refuses a name another object of the kind holds (ALREADY_EXISTS). */
    static void requireFreeName(ReadTx tx, ObjectKind kind, String name) {
        if (tx.byName(kind, name).isPresent()) {
            throw Calls.conflict(kind.word() + " " + name + " already exists");
        }
    }

    /** Removes the object {@code ref} names unless a service names it; returns its id. */
    static String remove(LinearizableReads reads, StoreWriter writer, ObjectKind kind, String ref) {
        String id = StoreObjects.id(reads.read(tx -> ObjectLookup.resolve(tx, kind, ref)));
        writer.update(tx -> {
            StoreObject cur = tx.get(kind, id).orElseThrow(() -> Calls.notFound(kind.word() + " " + ref + " not found"));
            List<String> users = References.servicesUsing(tx.services(), kind, id);
            if (!users.isEmpty()) {
                throw Calls.precondition(References.inUse(kind, StoreObjects.name(cur), users));
            }
            return List.of(Batches.remove(cur));
        });
        return id;
    }
}
