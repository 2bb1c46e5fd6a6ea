package io.shoal.chaos.run;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Network partitions between hosts, made with nftables inside each host's own network namespace
 * (a table {@code inet chaos} whose input chain drops what comes from the hosts it is cut from).
 * A cut may be one-way: host A no longer hears B, while B still hears A.
 */
final class Partitions {
    private final ChaosLab lab;
    private final String subnet;
    /** host -> the hosts whose packets it drops */
    private final Map<String, Set<String>> deaf = new TreeMap<>();

    Partitions(ChaosLab lab, String subnet) {
        this.lab = lab;
        this.subnet = subnet;
    }

    /** A no longer receives anything from B. */
    void drop(String a, String b) {
        deaf.computeIfAbsent(a, k -> new TreeSet<>()).add(b);
    }

    /** A and B no longer hear each other. */
    void cut(String a, String b) {
        drop(a, b);
        drop(b, a);
    }

    /** Every host of SIDE is cut from every host of OTHER. */
    void split(List<String> side, List<String> other) {
        for (String a : side) {
            for (String b : other) {
                cut(a, b);
            }
        }
    }

    /** Installs the rules collected since the last heal. */
    void apply() {
        for (var e : deaf.entrySet()) {
            StringBuilder from = new StringBuilder();
            for (String h : e.getValue()) {
                from.append(from.isEmpty() ? "" : ", ").append(lab.ip(subnet, h));
            }
            String rules = "add table inet chaos\ndelete table inet chaos\n"
                    + "table inet chaos {\n  chain input {\n    type filter hook input priority -10; policy accept;\n"
                    + "    ip saddr { " + from + " } drop\n  }\n}\n";
            ChaosLab.Result r = lab.inHost(e.getKey(), rules, "nft", "-f", "-");
            if (r.code() != 0) {
                throw new AssertionError("nft in " + e.getKey() + " failed: " + r.all());
            }
        }
    }

    /** Removes every rule from every host (also those of an earlier, failed run). */
    void heal(List<String> hosts) {
        for (String h : hosts) {
            lab.inHost(h, "add table inet chaos\ndelete table inet chaos\n", "nft", "-f", "-");
        }
        deaf.clear();
    }
}
