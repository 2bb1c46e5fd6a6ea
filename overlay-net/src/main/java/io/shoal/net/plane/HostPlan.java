package io.shoal.net.plane;

import java.util.List;
import java.util.Set;

/**
 * What one host's data plane should look like. Networks without a local endpoint get no sandbox
 * (remote endpoints of such networks are ignored) unless listed in {@code standing}: the ingress
 * network, whose sandbox every node keeps for the routing mesh. A container attached to several
 * networks gets its default route from the first non-internal one in {@code networks} order.
 *
 * @param standing ids of networks whose sandbox exists even without a local endpoint
 */
public record HostPlan(List<OverlayNetwork> networks, List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
                       Set<String> standing) {
    public HostPlan {
        networks = List.copyOf(networks);
        locals = List.copyOf(locals);
        remotes = List.copyOf(remotes);
        standing = Set.copyOf(standing);
    }

    public HostPlan(List<OverlayNetwork> networks, List<LocalEndpoint> locals, List<RemoteEndpoint> remotes) {
        this(networks, locals, remotes, Set.of());
    }

    public static HostPlan empty() {
        return new HostPlan(List.of(), List.of(), List.of());
    }
}
