package io.shoal.net.nft;

import java.util.List;

/**
 * One service port behind a virtual IP.
 *
 * @param serviceId the service (names its chains; characters other than letters, digits and '_' become '_')
 * @param vip       the virtual IP
 * @param protocol  tcp or udp
 * @param port      the port on the VIP
 * @param backends  the endpoints connections are spread over; none means no DNAT (connections go unanswered)
 */
public record VipService(String serviceId, String vip, Protocol protocol, int port, List<Backend> backends) {
    public VipService {
        backends = List.copyOf(backends);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of service " + serviceId + " is out of range (1..65535)");
        }
    }

    public enum Protocol {
        TCP, UDP;

        String nft() {
            return name().toLowerCase();
        }
    }

    /** An endpoint: a task's address and the target port. */
    public record Backend(String ip, int port) {}

    /** What the VIP map is keyed by: at most one service per VIP, protocol and port. */
    public record Key(String vip, Protocol protocol, int port) {}

    public Key key() {
        return new Key(vip, protocol, port);
    }
}
