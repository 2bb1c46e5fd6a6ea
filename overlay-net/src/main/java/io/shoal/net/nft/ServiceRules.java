package io.shoal.net.nft;

import io.shoal.net.nft.VipService.Backend;
import io.shoal.net.nft.VipService.Key;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes nftables transactions (text for {@code nft -f}) for service VIPs. Pure: the same services give
 * the same text.
 *
 * <ul>
 *   <li>{@link #full} replaces the whole table atomically: for startup.
 *   <li>{@link #diff} changes only what differs between two sets of services: map elements, service
 *       chains (flushed and refilled when their endpoints change) and endpoint chains; steady-state
 *       updates never flush the table.
 * </ul>
 *
 * Chains: {@code svc-<service>-<proto>-<port>} per VIP port, {@code svc-<service>-<proto>-<port>-to-<ip>-<port>}
 * per endpoint. The base chains hook {@code prerouting} (traffic arriving from other namespaces) and
 * {@code output} (connections made in this namespace, for per-container load balancing as Docker does).
 */
public final class ServiceRules {
    public static final String TABLE = "ip shoal";
    public static final String MAP = "vips";

    private static final Comparator<Key> KEY_ORDER = Comparator.comparing(Key::vip).thenComparing(Key::protocol)
            .thenComparingInt(Key::port);

    private ServiceRules() {}

    /** The whole table: deletes any previous one and creates the current one, in one transaction. */
    public static String full(Collection<VipService> services) {
        StringBuilder b = new StringBuilder();
        b.append("add table ").append(TABLE).append('\n');
        b.append("delete table ").append(TABLE).append('\n');
        b.append("add table ").append(TABLE).append('\n');
        b.append("add map ").append(TABLE).append(' ').append(MAP)
                .append(" { type ipv4_addr . inet_proto . inet_service : verdict ; }\n");
        for (String[] hook : new String[][] {{"prerouting", "dstnat"}, {"output", "-100"}}) {
            b.append("add chain ").append(TABLE).append(' ').append(hook[0]).append(" { type nat hook ").append(hook[0])
                    .append(" priority ").append(hook[1]).append(" ; policy accept ; }\n");
            b.append("add rule ").append(TABLE).append(' ').append(hook[0])
                    .append(" ip daddr . meta l4proto . th dport vmap @").append(MAP).append('\n');
        }
        b.append(diff(List.of(), services));
        return b.toString();
    }

    /** The statements that turn the rules for {@code before} into those for {@code after}; "" if none. */
    public static String diff(Collection<VipService> before, Collection<VipService> after) {
        Map<Key, VipService> old = index(before);
        Map<Key, VipService> now = index(after);
        Set<Key> keys = new java.util.TreeSet<>(KEY_ORDER);
        keys.addAll(old.keySet());
        keys.addAll(now.keySet());
        StringBuilder b = new StringBuilder();
        for (Key k : keys) {
            VipService o = old.get(k);
            VipService n = now.get(k);
            if (o != null && n != null && o.equals(n)) {
                continue;
            }
            if (o != null && n != null && o.serviceId().equals(n.serviceId())) {
                changeBackends(b, o, n);
                continue;
            }
            if (o != null) {
                b.append("delete element ").append(TABLE).append(' ').append(MAP).append(" { ").append(element(k)).append(" }\n");
                removeChain(b, serviceChain(o));
                for (Backend e : distinct(o.backends())) {
                    removeChain(b, endpointChain(o, e));
                }
            }
            if (n != null) {
                for (Backend e : distinct(n.backends())) {
                    addEndpointChain(b, n, e);
                }
                b.append("add chain ").append(TABLE).append(' ').append(serviceChain(n)).append('\n');
                spread(b, n);
                b.append("add element ").append(TABLE).append(' ').append(MAP).append(" { ").append(element(k))
                        .append(" : goto ").append(serviceChain(n)).append(" }\n");
            }
        }
        return b.toString();
    }

    private static void changeBackends(StringBuilder b, VipService o, VipService n) {
        List<Backend> was = distinct(o.backends());
        List<Backend> is = distinct(n.backends());
        for (Backend e : is) {
            if (!was.contains(e)) {
                addEndpointChain(b, n, e);
            }
        }
        if (!was.equals(is)) {
            b.append("flush chain ").append(TABLE).append(' ').append(serviceChain(n)).append('\n');
            spread(b, n);
        }
        for (Backend e : was) {
            if (!is.contains(e)) {
                removeChain(b, endpointChain(o, e));
            }
        }
    }

    private static void spread(StringBuilder b, VipService s) {
        List<Backend> eps = distinct(s.backends());
        if (eps.isEmpty()) {
            return;
        }
        b.append("add rule ").append(TABLE).append(' ').append(serviceChain(s)).append(" numgen random mod ")
                .append(eps.size()).append(" vmap { ");
        for (int i = 0; i < eps.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(i).append(" : goto ").append(endpointChain(s, eps.get(i)));
        }
        b.append(" }\n");
    }

    private static void addEndpointChain(StringBuilder b, VipService s, Backend e) {
        String chain = endpointChain(s, e);
        b.append("add chain ").append(TABLE).append(' ').append(chain).append('\n');
        b.append("add rule ").append(TABLE).append(' ').append(chain).append(" meta l4proto ").append(s.protocol().nft())
                .append(" dnat to ").append(e.ip()).append(':').append(e.port()).append('\n');
    }

    private static void removeChain(StringBuilder b, String chain) {
        b.append("flush chain ").append(TABLE).append(' ').append(chain).append('\n');
        b.append("delete chain ").append(TABLE).append(' ').append(chain).append('\n');
    }

    static String serviceChain(VipService s) {
        return "svc-" + s.serviceId().replaceAll("[^A-Za-z0-9_]", "_") + "-" + s.protocol().nft() + "-" + s.port();
    }

    static String endpointChain(VipService s, Backend e) {
        return serviceChain(s) + "-to-" + e.ip() + "-" + e.port();
    }

    private static String element(Key k) {
        return k.vip() + " . " + k.protocol().nft() + " . " + k.port();
    }

    /** Backends in a stable order (by address, then port), duplicates dropped. */
    private static List<Backend> distinct(List<Backend> backends) {
        List<Backend> out = new ArrayList<>(new LinkedHashSet<>(backends));
        out.sort(Comparator.comparing((Backend e) -> io.shoal.net.ipam.Ipv4.parse(e.ip()), Integer::compareUnsigned)
                .thenComparingInt(Backend::port));
        return out;
    }

    private static Map<Key, VipService> index(Collection<VipService> services) {
        Map<Key, VipService> m = new TreeMap<>(KEY_ORDER);
        for (VipService s : services) {
            VipService prev = m.put(s.key(), s);
            if (prev != null && !prev.equals(s)) {
                throw new IllegalArgumentException("services " + prev.serviceId() + " and " + s.serviceId() + " both claim "
                        + element(s.key()));
            }
        }
        return m;
    }
}
