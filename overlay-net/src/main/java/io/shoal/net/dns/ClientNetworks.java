package io.shoal.net.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * Which networks an asker is attached to, so that it only resolves names on those networks.
 *
 * <p>Two ways to run the server give two implementations: one server per container, bound inside the
 * container's network namespace, knows its asker up front ({@link #fixed}); one server shared by the
 * containers of a node tells askers apart by their source address ({@link ClientTable}).
 * Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface ClientNetworks {

    /**
     * The network ids of the asker at {@code client}, in order of preference: when a name answers on
     * several of them, the first network's answer wins (so put the network the asker's source address
     * belongs to first). Empty for an unknown asker, which then resolves none of our names.
     */
    List<String> networksOf(InetAddress client);

    /** Every asker is on these networks: for a server that serves a single container. */
    static ClientNetworks fixed(String... networkIds) {
        List<String> ids = List.of(networkIds);
        return client -> ids;
    }
}
