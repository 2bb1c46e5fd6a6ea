package io.shoal.net.nft;

import java.util.List;

/**
 * One service port behind a virtual IP, or (protocol null, port 0) every port of it.
 *
 * @param serviceId the service (names its chain; characters other than letters, digits and '_' become '_')
 * @param vip       the virtual IP
 * @param protocol  tcp or udp; null for all ports and protocols (swarm's VIP mode: the port is kept)
 * @param port      the port on the VIP; 0 with a null protocol
 * @param backends  the endpoints connections are spread over; none means no DNAT (connections go unanswered).
 *                  For an all-ports service their port is 0 (the connection's own port is kept).
 */
public record VipService(String serviceId, String vip, Protocol protocol, int port, List<Backend> backends) {
    public VipService {
        backends = List.copyOf(backends);
        if (protocol == null) {
            if (port != 0) {
                throw new IllegalArgumentException("service " + serviceId + ": an all-ports VIP has port 0, not " + port);
            }
            for (Backend b : backends) {
                if (b.port() != 0) {
                    throw new IllegalArgumentException("service " + serviceId + ": an all-ports VIP keeps the port; backend "
                            + b.ip() + " has port " + b.port());
                }
            }
        } else {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " of service " + serviceId + " is out of range (1..65535)");
            }
            for (Backend b : backends) {
                if (b.port() < 1 || b.port() > 65535) {
                    throw new IllegalArgumentException("service " + serviceId + ": backend port " + b.port() + " is out of range");
                }
            }
        }
    }

    /** All ports of {@code vip} to the same port of one of {@code ips}: what a swarm VIP does. */
    public static VipService allPorts(String serviceId, String vip, List<String> ips) {
        return new VipService(serviceId, vip, null, 0, ips.stream().map(ip -> new Backend(ip, 0)).toList());
    }

    /** One port of {@code vip} to {@code targetPort} of one of {@code ips}. */
    public static VipService port(String serviceId, String vip, Protocol protocol, int port, List<String> ips, int targetPort) {
        return new VipService(serviceId, vip, protocol, port, ips.stream().map(ip -> new Backend(ip, targetPort)).toList());
    }

    public boolean allPorts() {
        return protocol == null;
    }

    public enum Protocol {
        TCP, UDP;

        public String nft() {
            return name().toLowerCase();
        }
    }

    /** An endpoint: a task's address and the target port (0: the connection's own port). */
    public record Backend(String ip, int port) {}

    /** What the VIP maps are keyed by: at most one service per VIP, protocol and port (null, 0: all ports). */
    public record Key(String vip, Protocol protocol, int port) {}

    public Key key() {
        return new Key(vip, protocol, port);
    }
}
