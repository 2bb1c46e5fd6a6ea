package io.shoal.manager.control;

import io.shoal.api.Node;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ReadTx;

import java.util.List;

/** Resolves what a user typed for NODE: an id, a unique id prefix, or a hostname. */
public final class NodeLookup {
    private NodeLookup() {}

    public static Node resolve(ReadTx tx, String ref) {
        if (ref == null || ref.isBlank()) {
            throw Calls.invalid("a node id, id prefix or hostname is required");
        }
        var exact = tx.node(ref);
        if (exact.isPresent()) {
            return exact.get();
        }
        List<Node> byHost = tx.nodes().stream().filter(n -> n.getDescription().getHostname().equals(ref)).toList();
        if (byHost.size() == 1) {
            return byHost.get(0);
        }
        if (byHost.size() > 1) {
            throw Calls.invalid("hostname " + ref + " matches " + byHost.size() + " nodes; use the node id");
        }
        List<Node> byPrefix = tx.nodes().stream().filter(n -> n.getId().startsWith(ref)).toList();
        if (byPrefix.size() == 1) {
            return byPrefix.get(0);
        }
        if (byPrefix.size() > 1) {
            throw Calls.invalid("node prefix " + ref + " is ambiguous (" + byPrefix.size() + " nodes); use more characters");
        }
        throw Calls.notFound("node " + ref + " not found");
    }
}
