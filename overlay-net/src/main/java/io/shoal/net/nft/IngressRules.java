package io.shoal.net.nft;

import io.shoal.net.nft.NatMaps.Frontend;
import io.shoal.net.nft.NatMaps.Layout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The ingress routing mesh's nftables rules (pure text), as Docker's design: every node has an ingress
 * sandbox (the {@code DataPlane} sandbox of the ingress overlay network) joined to the host namespace by
 * a veth pair with link-local addresses ({@link #HOST_ADDRESS} on the host, {@link #SANDBOX_ADDRESS} in
 * the sandbox, see {@code io.shoal.net.plane.IngressLink}). Two tables, both named {@value #TABLE}:
 * <ul>
 *   <li>host: connections to a published port of any local address (prerouting, and output for the
 *       node's own processes, loopback excepted) are DNATed to the sandbox address, same port; map
 *       {@value #MAP} from {@code protocol . port} to chain {@code pub-<proto>-<port>};
 *   <li>sandbox: connections arriving for the sandbox address are DNATed to one of the service's tasks
 *       on the ingress network (map {@value #MAP} to chain {@code ing-<service>-<proto>-<port>}, one rule,
 *       {@code numgen random} over the tasks as for VIPs) and source-NATed to the node's own address on
 *       the ingress network when they leave through {@code br0}, so that the task's replies come back
 *       through this node (from a task on another node too).
 * </ul>
 * Same incremental rules as the VIP tables ({@link NatMaps}); {@link IngressRuleset} applies both.
 */
public final class IngressRules {
    public static final String TABLE = "ip shoal_ingress";
    public static final String MAP = "published";
    public static final String HOST_ADDRESS = "169.254.231.1";
    public static final String SANDBOX_ADDRESS = "169.254.231.2";
    public static final int LINK_PREFIX = 30;

    private IngressRules() {}

    /** The host table's fixed part: the sandbox is reached at {@code sandboxAddress}. */
    public static Layout hostLayout(String table) {
        List<String> h = new ArrayList<>();
        h.add("add map " + table + " " + MAP + " { type inet_proto . inet_service : verdict ; }");
        h.add("add chain " + table + " prerouting { type nat hook prerouting priority dstnat ; policy accept ; }");
        h.add("add rule " + table + " prerouting fib daddr type local meta l4proto . th dport vmap @" + MAP);
        h.add("add chain " + table + " output { type nat hook output priority -100 ; policy accept ; }");
        h.add("add rule " + table + " output ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto . th dport vmap @" + MAP);
        return new Layout(table, List.of(MAP), List.of("prerouting", "output"), h);
    }

    /**
     * The sandbox table's fixed part: connections for {@code sandboxAddress} are load-balanced; those
     * leaving through br0 get the source {@code snatAddress} (the node's address on the ingress network),
     * or, when null, br0's primary address (masquerade).
     */
    public static Layout sandboxLayout(String table, String sandboxAddress, String snatAddress) {
        List<String> h = new ArrayList<>();
        h.add("add map " + table + " " + MAP + " { type inet_proto . inet_service : verdict ; }");
        h.add("add chain " + table + " prerouting { type nat hook prerouting priority dstnat ; policy accept ; }");
        h.add("add rule " + table + " prerouting ip daddr " + sandboxAddress + " meta l4proto . th dport vmap @" + MAP);
        h.add("add chain " + table + " postrouting { type nat hook postrouting priority srcnat ; policy accept ; }");
        h.add("add rule " + table + " postrouting oifname \"br0\" ct status dnat "
                + (snatAddress == null ? "masquerade" : "snat to " + snatAddress));
        return new Layout(table, List.of(MAP), List.of("prerouting", "postrouting"), h);
    }

    /** The host's frontends: each published port to the same port of the sandbox. */
    public static List<Frontend> hostFrontends(Collection<IngressPort> ports, String sandboxAddress) {
        List<Frontend> out = new ArrayList<>();
        for (IngressPort p : ports) {
            String proto = p.protocol().nft();
            out.add(new Frontend(MAP, proto + " . " + p.publishedPort(), "pub-" + proto + "-" + p.publishedPort(),
                    "meta l4proto " + proto + " dnat to " + sandboxAddress + ":" + p.publishedPort()));
        }
        return out;
    }

    /** The sandbox's frontends: each published port to the service's tasks. */
    public static List<Frontend> sandboxFrontends(Collection<IngressPort> ports) {
        List<Frontend> out = new ArrayList<>();
        for (IngressPort p : ports) {
            String proto = p.protocol().nft();
            out.add(new Frontend(MAP, proto + " . " + p.publishedPort(),
                    "ing-" + ServiceRules.sanitise(p.serviceId()) + "-" + proto + "-" + p.publishedPort(),
                    ServiceRules.dnat(p.protocol(), ServiceRules.distinct(p.backends()))));
        }
        return out;
    }

    /** Both tables from scratch, for reading: the host's, then the sandbox's. */
    public static List<String> full(Collection<IngressPort> ports, String sandboxAddress, String snatAddress) {
        return List.of(NatMaps.full(hostLayout(TABLE), hostFrontends(ports, sandboxAddress)),
                NatMaps.full(sandboxLayout(TABLE, sandboxAddress, snatAddress), sandboxFrontends(ports)));
    }
}
