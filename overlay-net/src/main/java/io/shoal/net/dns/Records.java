package io.shoal.net.dns;

import java.net.InetAddress;

/**
 * What the DNS server asks about a name: which addresses answer it for one asker.
 *
 * <p>Implementations must be thread-safe and must not block: the server calls {@link #resolve} on its
 * network thread for every query, while the worker updates the records from its own threads.
 */
@FunctionalInterface
public interface Records {

    /**
     * Resolves {@code name} as asked by {@code client}.
     *
     * @param name   the queried name as it came on the wire, any case, with or without a trailing dot
     * @param client the source address of the query (the asking container's address on the network it
     *               asked through, or a loopback address when the server runs inside the container's
     *               own network namespace)
     * @return {@link Resolution.Found} with at least one address when the name is ours and visible to
     *         the asker; {@link Resolution.Hidden} when it is ours but has no address on any network
     *         the asker shares (answered NXDOMAIN, never forwarded, so names do not leak upstream);
     *         {@link Resolution.NotOurs} when the name should go to the upstream resolvers
     */
    Resolution resolve(String name, InetAddress client);
}
