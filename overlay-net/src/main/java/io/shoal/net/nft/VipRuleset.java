package io.shoal.net.nft;

import io.shoal.net.nft.NatTable.Result;
import io.shoal.net.nft.NatMaps.Frontend;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The service VIPs of one network namespace (a container's), kept applied as table {@value #TABLE}:
 * the caller passes the whole desired set of {@link VipService}s on every change and only the
 * difference reaches the kernel, as one {@code nft -f} transaction (map elements added or removed,
 * service chains created, rewritten or deleted); the table is never flushed in steady state. The
 * first apply, and a recovery when the table turns out missing or different, replace the whole table
 * in one transaction. See {@link NatTable} for the recovery rules and {@link ServiceRules} for the rules.
 *
 * <pre>
 * VipRuleset vips = new VipRuleset(new Nft(new ProcessShell()), "/proc/1234/ns/net");
 * vips.apply(List.of(VipService.allPorts("web", "10.0.1.2", List.of("10.0.1.5", "10.0.1.6")),
 *                    VipService.port("db", "10.0.1.3", Protocol.TCP, 5432, List.of("10.0.1.7"), 5432)));
 * </pre>
 */
public final class VipRuleset {
    /** Family and name of the table; Shoal owns every table named {@code shoal*}. */
    public static final String TABLE = "ip shoal_vip";

    private final NatTable table;
    /** The conversion of each service last applied: most services do not change between two calls. */
    private Map<VipService, Frontend> converted = new HashMap<>();

    /** {@code netns}: a name under /run/netns, a path such as /proc/PID/ns/net, or null for this process's own. */
    public VipRuleset(Nft nft, String netns) {
        this(nft, netns, TABLE);
    }

    public VipRuleset(Nft nft, String netns, String table) {
        this.table = new NatTable(nft, netns, ServiceRules.layout(table));
    }

    /** Makes the namespace's VIP rules match {@code services} (every service of the namespace, each VIP port once). */
    public synchronized Result apply(Collection<VipService> services) {
        Map<VipService, Frontend> next = new HashMap<>(services.size() * 2);
        List<Frontend> frontends = new ArrayList<>(services.size());
        for (VipService s : services) {
            Frontend f = converted.get(s);
            if (f == null) {
                f = ServiceRules.frontend(s);
            }
            next.put(s, f);
            frontends.add(f);
        }
        converted = next;
        return table.apply(frontends);
    }

    /** Rebuilds the table if it is missing or differs from what was applied; false when it had to. */
    public synchronized boolean verify() {
        return table.verify();
    }

    /** Deletes the table. */
    public synchronized void remove() {
        table.remove();
    }

    public String netns() {
        return table.netns();
    }
}
