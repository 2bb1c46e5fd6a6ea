package io.shoal.net.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Askers told apart by source address: the worker registers each container address with the networks
 * that container is attached to when it starts the container, and removes it when the container goes.
 * Thread-safe.
 */
public final class ClientTable implements ClientNetworks {
    private final Map<InetAddress, List<String>> byAddress = new ConcurrentHashMap<>();

    /**
     * Records that the container at {@code address} is attached to {@code networkIds} (first = the
     * network {@code address} is on). Replaces what was recorded for that address.
     */
    public void put(InetAddress address, List<String> networkIds) {
        byAddress.put(address, List.copyOf(networkIds));
    }

    /** Forgets the container at {@code address}; it then resolves none of our names. */
    public void remove(InetAddress address) {
        byAddress.remove(address);
    }

    @Override
    public List<String> networksOf(InetAddress client) {
        return byAddress.getOrDefault(client, List.of());
    }
}
