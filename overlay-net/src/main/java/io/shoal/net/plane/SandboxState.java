package io.shoal.net.plane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one sandbox namespace holds, as read from {@code ip}/{@code bridge} output.
 *
 * @param name      the namespace
 * @param links     its devices by name
 * @param bridgeIps "address/prefix" on br0
 * @param fdb       static VXLAN FDB entries of vxlan0
 * @param neighbors permanent neighbor entries on vxlan0: ip to MAC
 */
public record SandboxState(String name, Map<String, Link> links, Set<String> bridgeIps, Set<Fdb> fdb,
                           Map<String, String> neighbors) {

    /** A device: its flags and, for VXLAN devices, "id", "local" and "dstport". */
    public record Link(String name, boolean up, int mtu, String master, String kind, Map<String, String> attrs) {}

    /**
     * One VXLAN FDB entry: frames for {@code mac} go to the host at {@code dst}, on UDP {@code port}
     * (0: the device's own port; another port is an encrypted network's relay socket).
     */
    public record Fdb(String mac, String dst, int port) implements Comparable<Fdb> {
        public Fdb(String mac, String dst) {
            this(mac, dst, 0);
        }

        @Override
        public int compareTo(Fdb o) {
            int c = mac.compareTo(o.mac);
            c = c != 0 ? c : dst.compareTo(o.dst);
            return c != 0 ? c : Integer.compare(port, o.port);
        }

        /** As the {@code bridge fdb} commands name it. */
        String target() {
            return "dst " + dst + (port == 0 ? "" : " port " + port);
        }
    }

    public Set<String> veths() {
        Set<String> out = new TreeSet<>();
        links.keySet().stream().filter(n -> n.startsWith(Naming.VETH_PREFIX)).forEach(out::add);
        return out;
    }

    /** Parses {@code ip -d -o link show}. */
    static Map<String, Link> parseLinks(String out) {
        Map<String, Link> links = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] t = line.replace('\\', ' ').trim().split("\\s+");
            if (t.length < 3 || !t[0].endsWith(":")) {
                continue;
            }
            String name = t[1].replaceAll(":$", "");
            int at = name.indexOf('@');
            if (at >= 0) {
                name = name.substring(0, at);
            }
            boolean up = t[2].matches("<(.*,)?UP(,.*)?>");
            int mtu = 0;
            String master = null;
            String kind = null;
            Map<String, String> attrs = new HashMap<>();
            for (int i = 3; i < t.length - 1; i++) {
                switch (t[i]) {
                    case "mtu" -> mtu = Integer.parseInt(t[i + 1]);
                    case "master" -> master = t[i + 1];
                    case "vxlan", "veth", "bridge" -> kind = kind == null ? t[i] : kind;
                    case "id", "local", "dstport" -> {
                        if ("vxlan".equals(kind) && !attrs.containsKey(t[i])) {
                            attrs.put(t[i], t[i + 1]);
                        }
                    }
                    default -> { }
                }
            }
            links.put(name, new Link(name, up, mtu, master, kind, Map.copyOf(attrs)));
        }
        return links;
    }

    /** Parses {@code ip -o -4 addr show}: the "a.b.c.d/n" after each "inet". */
    static Set<String> parseAddrs(String out) {
        Set<String> addrs = new TreeSet<>();
        for (String line : out.split("\n")) {
            String[] t = line.trim().split("\\s+");
            for (int i = 0; i < t.length - 1; i++) {
                if (t[i].equals("inet")) {
                    addrs.add(t[i + 1]);
                }
            }
        }
        return addrs;
    }

    /** Parses {@code bridge fdb show dev vxlan0}: only the entries with a VXLAN destination. */
    static Set<Fdb> parseFdb(String out) {
        Set<Fdb> fdb = new TreeSet<>();
        for (String line : out.split("\n")) {
            String[] t = line.trim().split("\\s+");
            for (int i = 1; i < t.length - 1; i++) {
                if (t[i].equals("dst")) {
                    int port = i + 3 < t.length && t[i + 2].equals("port") ? Integer.parseInt(t[i + 3]) : 0;
                    fdb.add(new Fdb(t[0], t[i + 1], port));
                }
            }
        }
        return fdb;
    }

    /** Parses {@code ip neigh show dev vxlan0 nud permanent}: "ip lladdr mac PERMANENT". */
    static Map<String, String> parseNeighbors(String out) {
        Map<String, String> n = new TreeMap<>();
        for (String line : out.split("\n")) {
            List<String> t = new ArrayList<>(List.of(line.trim().split("\\s+")));
            int i = t.indexOf("lladdr");
            if (i > 0 && i + 1 < t.size()) {
                n.put(t.get(0), t.get(i + 1));
            }
        }
        return n;
    }
}
