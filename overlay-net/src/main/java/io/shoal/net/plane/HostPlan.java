package io.shoal.net.plane;

import java.util.List;

/**
 * What one host's data plane should look like. Networks without a local endpoint get no sandbox;
 * remote endpoints of such networks are ignored. A container attached to several networks gets its
 * default route from the first non-internal one in {@code networks} order.
 */
public record HostPlan(List<OverlayNetwork> networks, List<LocalEndpoint> locals, List<RemoteEndpoint> remotes) {
    public HostPlan {
        networks = List.copyOf(networks);
        locals = List.copyOf(locals);
        remotes = List.copyOf(remotes);
    }

    public static HostPlan empty() {
        return new HostPlan(List.of(), List.of(), List.of());
    }
}
