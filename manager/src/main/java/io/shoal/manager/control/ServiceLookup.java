package io.shoal.manager.control;

import io.shoal.api.Service;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;

import java.util.List;

/** Resolves what a user typed for SERVICE: an id, a name, or a unique id prefix. */
public final class ServiceLookup {
    private ServiceLookup() {}

    public static Service resolve(ReadTx tx, String ref) {
        if (ref == null || ref.isBlank()) {
            throw Calls.invalid("a service id, name or id prefix is required");
        }
        var exact = tx.service(ref);
        if (exact.isPresent()) {
            return exact.get();
        }
        var named = tx.byName(ObjectKind.SERVICE, ref);
        if (named.isPresent()) {
            return named.get().getService();
        }
        List<Service> byPrefix = tx.services().stream().filter(s -> s.getId().startsWith(ref)).toList();
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        if (byPrefix.size() > 1) {
            throw Calls.invalid("service prefix " + ref + " is ambiguous (" + byPrefix.size() + " services); use more characters");
        }
        throw Calls.notFound("service " + ref + " not found");
    }
}
