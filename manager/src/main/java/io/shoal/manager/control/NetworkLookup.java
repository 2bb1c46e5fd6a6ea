package io.shoal.manager.control;

import io.shoal.api.Network;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;

import java.util.List;

/** Finds a network by id, name or unique id prefix, as the CLI names one. */
public final class NetworkLookup {
    private NetworkLookup() {}

    public static Network resolve(ReadTx tx, String ref) {
        if (ref == null || ref.isBlank()) {
            throw Calls.invalid("a network id, name or id prefix is required");
        }
        var exact = tx.get(ObjectKind.NETWORK, ref).map(o -> o.getNetwork());
        if (exact.isPresent()) {
            return exact.get();
        }
        var named = tx.byName(ObjectKind.NETWORK, ref);
        if (named.isPresent()) {
            return named.get().getNetwork();
        }
        List<Network> byPrefix = tx.networks().stream().filter(n -> n.getId().startsWith(ref)).toList();
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        if (byPrefix.size() > 1) {
            throw Calls.invalid("network prefix " + ref + " is ambiguous (" + byPrefix.size() + " networks); use more characters");
        }
        throw Calls.notFound("network " + ref + " not found");
    }
}
