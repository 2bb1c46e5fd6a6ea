package io.shoal.net.plane;

import java.util.List;
import java.util.Map;

/**
 * What one host's data plane should look like. Networks without a local endpoint get no sandbox;
 * remote endpoints of such networks are ignored. A container attached to several networks gets its
 * default route from the first non-internal one in {@code networks} order. {@code relayPorts} gives,
 * for each peer host of an encrypted network, the port of the relay's local socket for it.
 */
public record HostPlan(List<OverlayNetwork> networks, List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
                       Map<String, Integer> relayPorts) {
    public HostPlan {
        networks = List.copyOf(networks);
        locals = List.copyOf(locals);
        remotes = List.copyOf(remotes);
        relayPorts = Map.copyOf(relayPorts);
    }

    public HostPlan(List<OverlayNetwork> networks, List<LocalEndpoint> locals, List<RemoteEndpoint> remotes) {
        this(networks, locals, remotes, Map.of());
    }

    public static HostPlan empty() {
        return new HostPlan(List.of(), List.of(), List.of());
    }
}
