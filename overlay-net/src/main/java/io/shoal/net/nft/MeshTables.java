package io.shoal.net.nft;

import java.util.List;

/**
 * The nftables tables of published ports (swarm mode's routing mesh and host-mode ports), as
 * whole tables; each is small (one rule per published port) and is replaced in one transaction.
 *
 * <p>In the host namespace, table {@value #TABLE}: a connection to any local address on an ingress
 * port is handed to the ingress sandbox (DNAT to the sandbox end of its uplink; 127.0.0.1 too, with
 * {@code route_localnet} on and masquerade); one on a host-mode
 * port goes straight to a local task of that service (through the same uplink, as the ingress
 * network reaches every task that publishes a port). In the ingress sandbox, table {@value #TABLE}:
 * a connection that arrived through the uplink is spread over the service's running tasks on any
 * node and leaves with the node's own ingress address (masquerade; the bridge's primary address),
 * so the reply comes back through this node and its connection tracking.
 */
public final class MeshTables {
    public static final String TABLE = "shoal_ingress";
    /** The sandbox end of the uplink, as {@code io.shoal.net.plane.Naming#UPLINK} names it. */
    private static final String UPLINK = "up0";

    /** One published port: protocol "tcp" or "udp", and the addresses it is spread over. */
    public record PortMap(String protocol, int published, int target, List<String> backends) {
        public PortMap {
            if (!protocol.equals("tcp") && !protocol.equals("udp")) {
                throw new IllegalArgumentException("protocol " + protocol + " is not tcp or udp");
            }
            backends = List.copyOf(backends);
        }
    }

    private MeshTables() {}

    /** The host's table: ingress ports to {@code sandboxAddress}, host-mode ports to their local tasks. */
    public static String host(List<PortMap> ingress, String sandboxAddress, List<PortMap> hostMode) {
        StringBuilder ports = new StringBuilder();
        for (PortMap p : ingress) {
            ports.append("\t\t").append(p.protocol()).append(" dport ").append(p.published())
                    .append(" dnat to ").append(sandboxAddress).append('\n');
        }
        for (PortMap p : hostMode) {
            if (!p.backends().isEmpty()) {
                ports.append("\t\t").append(p.protocol()).append(" dport ").append(p.published()).append(' ')
                        .append(dnat(p)).append('\n');
            }
        }
        return "table ip " + TABLE + " {\n"
                + "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
                + "\t\tfib daddr type local jump ports\n\t}\n"
                + "\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n"
                + "\t\tfib daddr type local jump ports\n\t}\n"
                + "\tchain ports {\n" + ports + "\t}\n"
                // a connection to 127.0.0.1:P leaves loopback for the sandbox (route_localnet) with
                // the host's address, so the answer can find its way back
                + "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                + "\t\tip saddr 127.0.0.0/8 ct status dnat masquerade\n\t}\n"
                + "}\n";
    }

    /** The ingress sandbox's table: each ingress port spread over its backends. */
    public static String sandbox(List<PortMap> ingress) {
        StringBuilder rules = new StringBuilder();
        for (PortMap p : ingress) {
            if (!p.backends().isEmpty()) {
                rules.append("\t\tiifname \"").append(UPLINK).append("\" ").append(p.protocol()).append(" dport ")
                        .append(p.published()).append(' ').append(dnat(p)).append('\n');
            }
        }
        return "table ip " + TABLE + " {\n"
                + "\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n" + rules + "\t}\n"
                + "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
                + "\t\toifname \"br0\" ct status dnat masquerade\n\t}\n"
                + "}\n";
    }

    /** A transaction that replaces the table whole (creating it first makes the delete valid). */
    public static String replace(String table) {
        return "table ip " + TABLE + "\ndelete table ip " + TABLE + "\n" + table;
    }

    /** A transaction that removes the table if it is there. */
    public static String remove() {
        return "table ip " + TABLE + "\ndelete table ip " + TABLE + "\n";
    }

    private static String dnat(PortMap p) {
        if (p.backends().size() == 1) {
            return "dnat to " + p.backends().get(0) + ":" + p.target();
        }
        StringBuilder map = new StringBuilder();
        for (int i = 0; i < p.backends().size(); i++) {
            map.append(i == 0 ? "" : ", ").append(i).append(" : ").append(p.backends().get(i)).append(" . ").append(p.target());
        }
        return "dnat ip to numgen random mod " + p.backends().size() + " map { " + map + " }";
    }
}
