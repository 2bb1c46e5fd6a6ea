package io.shoal.net.nft;

import io.shoal.net.ipam.Ipv4;
import io.shoal.net.nft.NatMaps.Frontend;
import io.shoal.net.nft.NatMaps.Layout;
import io.shoal.net.nft.VipService.Backend;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Writes nftables transactions (text for {@code nft -f}) for service VIPs. Pure: the same services give
 * the same text. The table has two verdict maps: {@value #MAP} ({@code VIP . protocol . port}) for
 * services with ports, looked up first, and {@value #ALL_PORTS_MAP} ({@code VIP}) for services that
 * forward every port (swarm's VIP mode). Each element jumps to the service's chain
 * {@code svc-<service>-<vip>[-<proto>-<port>]}, whose single rule DNATs to one endpoint or spreads
 * connections with {@code numgen random mod N} over an anonymous map of endpoints.
 *
 * <ul>
 *   <li>{@link #full} replaces the whole table atomically: for startup.
 *   <li>{@link #diff} changes only what differs between two sets of services: map elements and service
 *       chains (flushed and refilled when their endpoints change); it never flushes the table.
 * </ul>
 *
 * The base chains hook {@code prerouting} (traffic arriving from other namespaces) and {@code output}
 * (connections made in this namespace: per-container load balancing, as Docker does). {@link VipRuleset}
 * keeps such a table applied in one namespace.
 */
public final class ServiceRules {
    /** The table the static {@link #full}/{@link #diff} write. */
    public static final String TABLE = "ip shoal";
    public static final String MAP = "vips";
    public static final String ALL_PORTS_MAP = "vip_all";

    private ServiceRules() {}

    /** The fixed part of a VIP table named {@code table} (family and name, e.g. "ip shoal_vip"). */
    public static Layout layout(String table) {
        List<String> header = new ArrayList<>();
        header.add("add map " + table + " " + MAP + " { type ipv4_addr . inet_proto . inet_service : verdict ; }");
        header.add("add map " + table + " " + ALL_PORTS_MAP + " { type ipv4_addr : verdict ; }");
        for (String[] hook : new String[][] {{"prerouting", "dstnat"}, {"output", "-100"}}) {
            header.add("add chain " + table + " " + hook[0] + " { type nat hook " + hook[0] + " priority " + hook[1]
                    + " ; policy accept ; }");
            header.add("add rule " + table + " " + hook[0] + " ip daddr . meta l4proto . th dport vmap @" + MAP);
            header.add("add rule " + table + " " + hook[0] + " ip daddr vmap @" + ALL_PORTS_MAP);
        }
        return new Layout(table, List.of(MAP, ALL_PORTS_MAP), List.of("prerouting", "output"), header);
    }

    /** The whole table {@value #TABLE}: deletes any previous one and creates the current one, in one transaction. */
    public static String full(Collection<VipService> services) {
        return NatMaps.full(layout(TABLE), frontends(services));
    }

    /** The statements that turn the rules of table {@value #TABLE} for {@code before} into those for {@code after}; "" if none. */
    public static String diff(Collection<VipService> before, Collection<VipService> after) {
        return NatMaps.diff(layout(TABLE), frontends(before), frontends(after), false);
    }

    /** One frontend per service: its map element, chain and rule. */
    public static List<Frontend> frontends(Collection<VipService> services) {
        List<Frontend> out = new ArrayList<>(services.size());
        for (VipService s : services) {
            out.add(frontend(s));
        }
        return out;
    }

    /** A service's map element, chain and rule. */
    public static Frontend frontend(VipService s) {
        if (s.allPorts()) {
            return new Frontend(ALL_PORTS_MAP, s.vip(), serviceChain(s), dnat(null, distinct(s.backends())));
        }
        return new Frontend(MAP, s.vip() + " . " + s.protocol().nft() + " . " + s.port(), serviceChain(s),
                dnat(s.protocol(), distinct(s.backends())));
    }

    /**
     * The DNAT rule to {@code backends} (null when there are none), written as {@code nft list} prints it
     * so that a listing can be compared with it.
     */
    static String dnat(VipService.Protocol protocol, List<Backend> backends) {
        if (backends.isEmpty()) {
            return null;
        }
        boolean ports = protocol != null;
        StringBuilder b = new StringBuilder();
        if (ports) {
            b.append("meta l4proto ").append(protocol.nft()).append(' ');
        }
        if (backends.size() == 1) {
            Backend e = backends.getFirst();
            return b.append("dnat to ").append(e.ip()).append(ports ? ":" + e.port() : "").toString();
        }
        b.append(ports ? "dnat ip to" : "dnat to").append(" numgen random mod ").append(backends.size()).append(" map { ");
        for (int i = 0; i < backends.size(); i++) {
            Backend e = backends.get(i);
            b.append(i == 0 ? "" : ", ").append(i).append(" : ").append(e.ip()).append(ports ? " . " + e.port() : "");
        }
        return b.append(" }").toString();
    }

    static String serviceChain(VipService s) {
        String base = "svc-" + sanitise(s.serviceId()) + "-" + s.vip();
        return s.allPorts() ? base : base + "-" + s.protocol().nft() + "-" + s.port();
    }

    static String sanitise(String id) {
        return id.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** Backends in a stable order (by address, then port), duplicates dropped. */
    static List<Backend> distinct(List<Backend> backends) {
        List<Backend> unique = new ArrayList<>(new LinkedHashSet<>(backends));
        record Keyed(long key, Backend backend) {}
        List<Keyed> keyed = new ArrayList<>(unique.size());
        for (Backend e : unique) { // address (unsigned) then port, each address parsed once
            keyed.add(new Keyed(Integer.toUnsignedLong(Ipv4.parse(e.ip())) << 16 | e.port(), e));
        }
        keyed.sort(Comparator.comparingLong(Keyed::key));
        List<Backend> out = new ArrayList<>(keyed.size());
        keyed.forEach(k -> out.add(k.backend()));
        return out;
    }
}
