package io.shoal.net.nft;

import io.shoal.net.nft.VipService.Backend;
import io.shoal.net.nft.VipService.Protocol;
import java.util.List;
import java.util.Objects;

/**
 * A port published through the ingress routing mesh: connections to {@code publishedPort} of any of the
 * node's addresses go to one of {@code backends}, the service's tasks on the ingress network.
 *
 * @param serviceId     the service (names its chain)
 * @param protocol      tcp or udp
 * @param publishedPort the port on every node
 * @param backends      task address on the ingress network and the target port; none: connections go unanswered
 */
public record IngressPort(String serviceId, Protocol protocol, int publishedPort, List<Backend> backends) {
    public IngressPort {
        Objects.requireNonNull(protocol, "protocol");
        backends = List.copyOf(backends);
        if (publishedPort < 1 || publishedPort > 65535) {
            throw new IllegalArgumentException("published port " + publishedPort + " of service " + serviceId + " is out of range");
        }
        for (Backend b : backends) {
            if (b.port() < 1 || b.port() > 65535) {
                throw new IllegalArgumentException("service " + serviceId + ": target port " + b.port() + " is out of range");
            }
        }
    }

    /** Every task listening on the same {@code targetPort}, as swarm publishes. */
    public static IngressPort of(String serviceId, Protocol protocol, int publishedPort, int targetPort, List<String> taskIps) {
        return new IngressPort(serviceId, protocol, publishedPort, taskIps.stream().map(ip -> new Backend(ip, targetPort)).toList());
    }
}
