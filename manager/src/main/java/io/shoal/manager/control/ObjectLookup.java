package io.shoal.manager.control;

import io.shoal.api.raft.StoreObject;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.List;

/** Finds a named object (a secret, a config) by what a user typed: an id, a name, or a unique id prefix. */
final class ObjectLookup {
    private ObjectLookup() {}

    static StoreObject resolve(ReadTx tx, ObjectKind kind, String ref) {
        if (ref == null || ref.isBlank()) {
            throw Calls.invalid("a " + kind.word() + " id, name or id prefix is required");
        }
        var exact = tx.get(kind, ref);
        if (exact.isPresent()) {
            return exact.get();
        }
        var named = tx.byName(kind, ref);
        if (named.isPresent()) {
            return named.get();
        }
        List<StoreObject> byPrefix = tx.list(kind).stream().filter(o -> StoreObjects.id(o).startsWith(ref)).toList();
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        if (byPrefix.size() > 1) {
            throw Calls.invalid(kind.word() + " prefix " + ref + " is ambiguous (" + byPrefix.size() + " " + kind.word()
                    + "s); use more characters");
        }
        throw Calls.notFound(kind.word() + " " + ref + " not found");
    }
}
