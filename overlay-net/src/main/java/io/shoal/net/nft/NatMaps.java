package io.shoal.net.nft;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape shared by Shoal's NAT tables (service VIPs, the ingress routing mesh), in the style of
 * kube-proxy's nftables mode, as pure text for {@code nft -f}: fixed base chains that look packets up in
 * verdict maps, and per frontend (a VIP port, a published port) one map element that jumps to one chain
 * of its own holding a single DNAT rule (for several endpoints, {@code numgen random mod N} over an
 * anonymous map). A change of endpoints rewrites only that chain ({@code flush chain} + {@code add rule});
 * a new or removed frontend adds or deletes its element and its chain. The table itself is only ever
 * created (or replaced) by {@link #full}.
 */
public final class NatMaps {
    private static final Pattern CHAIN = Pattern.compile("^\\s*chain (\\S+) \\{\\s*$");
    private static final Pattern MAP = Pattern.compile("^\\s*(?:map|set) (\\S+) \\{\\s*$");

    private NatMaps() {}

    /**
     * A table's fixed part.
     *
     * @param table      family and name, e.g. {@code ip shoal_vip}
     * @param maps       the verdict maps' names, in the order of {@code header}
     * @param baseChains the names of the chains {@code header} makes
     * @param header     the statements that create the maps and base chains (each a line, table included)
     */
    public record Layout(String table, List<String> maps, List<String> baseChains, List<String> header) {
        public Layout {
            maps = List.copyOf(maps);
            baseChains = List.copyOf(baseChains);
            header = List.copyOf(header);
        }
    }

    /**
     * One entry point: element {@code key} of {@code map} jumps to {@code chain}, which holds {@code rule}
     * (null: an empty chain, so nothing is translated and the packet goes on unchanged).
     */
    public record Frontend(String map, String key, String chain, String rule) {
        public Frontend {
            Objects.requireNonNull(map);
            Objects.requireNonNull(key);
            Objects.requireNonNull(chain);
        }

        String element() {
            return key + " : goto " + chain;
        }
    }

    /** What a table holds, as far as Shoal checks it: chain names, map elements, and the frontend chains' rules. */
    public record Fingerprint(Set<String> chains, Map<String, Set<String>> elements, Map<String, String> rules) {}

    /** The whole table: deletes any previous one and creates the current one, in one transaction. */
    public static String full(Layout layout, Collection<Frontend> frontends) {
        StringBuilder b = new StringBuilder();
        b.append("add table ").append(layout.table()).append('\n');
        b.append("delete table ").append(layout.table()).append('\n');
        b.append("add table ").append(layout.table()).append('\n');
        layout.header().forEach(l -> b.append(l).append('\n'));
        b.append(diff(layout, List.of(), frontends, false));
        return b.toString();
    }

    /**
     * The statements that turn the frontends {@code before} into {@code after}; "" if none. With
     * {@code strict}, chains and elements are made with {@code create} rather than {@code add}, so the
     * transaction fails (and changes nothing) when the kernel holds something the caller did not expect.
     */
    public static String diff(Layout layout, Collection<Frontend> before, Collection<Frontend> after, boolean strict) {
        return diff(layout, index(before), index(after), strict);
    }

    /** {@link #diff} of frontends already {@link #index indexed}. */
    static String diff(Layout layout, Map<String, Frontend> old, Map<String, Frontend> now, boolean strict) {
        Set<String> ids = new TreeSet<>(old.keySet());
        ids.addAll(now.keySet());
        String t = layout.table();
        String create = strict ? "create " : "add ";
        StringBuilder removals = new StringBuilder();
        StringBuilder additions = new StringBuilder();
        for (String id : ids) {
            Frontend o = old.get(id);
            Frontend n = now.get(id);
            if (Objects.equals(o, n)) {
                continue;
            }
            if (o != null && n != null && o.chain().equals(n.chain())) {
                additions.append("flush chain ").append(t).append(' ').append(n.chain()).append('\n');
                rule(additions, t, n);
                continue;
            }
            if (o != null) {
                removals.append("delete element ").append(t).append(' ').append(o.map()).append(" { ").append(o.key())
                        .append(" }\n");
                removals.append("flush chain ").append(t).append(' ').append(o.chain()).append('\n');
                removals.append("delete chain ").append(t).append(' ').append(o.chain()).append('\n');
            }
            if (n != null) {
                additions.append(create).append("chain ").append(t).append(' ').append(n.chain()).append('\n');
                rule(additions, t, n);
                additions.append(create).append("element ").append(t).append(' ').append(n.map()).append(" { ")
                        .append(n.element()).append(" }\n");
            }
        }
        return removals.append(additions).toString();
    }

    private static void rule(StringBuilder b, String table, Frontend f) {
        if (f.rule() != null) {
            b.append("add rule ").append(table).append(' ').append(f.chain()).append(' ').append(f.rule()).append('\n');
        }
    }

    /** What {@link #full} with these frontends leaves in the kernel. */
    public static Fingerprint fingerprint(Layout layout, Collection<Frontend> frontends) {
        Set<String> chains = new TreeSet<>(layout.baseChains());
        Map<String, Set<String>> elements = new TreeMap<>();
        Map<String, String> rules = new TreeMap<>();
        layout.maps().forEach(m -> elements.put(m, new TreeSet<>()));
        for (Frontend f : index(frontends).values()) {
            chains.add(f.chain());
            elements.computeIfAbsent(f.map(), k -> new TreeSet<>()).add(normalise(f.element()));
            rules.put(f.chain(), f.rule() == null ? "" : normalise(f.rule()));
        }
        return new Fingerprint(chains, elements, rules);
    }

    /**
     * Reads {@code nft list table} output back into a fingerprint. Only the chains not named in
     * {@code baseChains} have their rules recorded (the frontend chains: one rule each).
     */
    public static Fingerprint parse(String listing, Set<String> baseChains) {
        Set<String> chains = new TreeSet<>();
        Map<String, Set<String>> elements = new TreeMap<>();
        Map<String, String> rules = new TreeMap<>();
        String[] lines = listing.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher c = CHAIN.matcher(lines[i]);
            Matcher m = MAP.matcher(lines[i]);
            if (c.matches()) {
                String chain = c.group(1);
                chains.add(chain);
                List<String> body = new ArrayList<>();
                while (i + 1 < lines.length && !lines[i + 1].trim().equals("}")) {
                    String l = lines[++i].trim();
                    if (!l.isEmpty()) {
                        body.add(l);
                    }
                }
                if (!baseChains.contains(chain)) {
                    rules.put(chain, normalise(String.join(" ", body)));
                }
            } else if (m.matches()) {
                Set<String> set = new TreeSet<>();
                elements.put(m.group(1), set);
                StringBuilder all = new StringBuilder();
                boolean in = false;
                while (i + 1 < lines.length && !lines[i + 1].trim().equals("}")) {
                    String l = lines[++i].trim();
                    if (l.startsWith("elements = {")) {
                        in = true;
                        l = l.substring("elements = {".length());
                    }
                    if (in) {
                        all.append(' ').append(l);
                    }
                }
                String s = all.toString().trim();
                if (s.endsWith("}")) {
                    s = s.substring(0, s.length() - 1);
                }
                for (String e : s.split(",")) {
                    if (!e.isBlank()) {
                        set.add(normalise(e));
                    }
                }
            }
        }
        return new Fingerprint(chains, elements, rules);
    }

    static String normalise(String s) {
        return s.trim().replaceAll("\\s+", " ");
    }

    /** Frontends by map and key; two frontends on one key, or two keys sharing one chain, are refused. */
    static Map<String, Frontend> index(Collection<Frontend> frontends) {
        Map<String, Frontend> m = new LinkedHashMap<>();
        Map<String, Frontend> chains = new TreeMap<>();
        for (Frontend f : frontends) {
            Frontend prev = m.put(f.map() + " " + f.key(), f);
            if (prev != null && !prev.equals(f)) {
                throw new IllegalArgumentException("both " + prev.chain() + " and " + f.chain() + " claim " + f.key());
            }
            Frontend same = chains.put(f.chain(), f);
            if (same != null && !same.equals(f)) {
                throw new IllegalArgumentException("chain " + f.chain() + " would serve both " + same.key() + " and " + f.key());
            }
        }
        return new TreeMap<>(m);
    }
}
