package io.shoal.net.plane;

import io.shoal.net.plane.SandboxState.Fdb;
import io.shoal.net.plane.SandboxState.Link;
import io.shoal.net.sys.CommandException;
import io.shoal.net.sys.Shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Converges one host's overlay data plane on a {@link HostPlan} with the {@code ip} and {@code bridge}
 * tools. Each {@link #apply} reads the kernel's state, then creates, changes and removes only what
 * differs, batching commands per namespace; it keeps no state of its own, so a restarted worker simply
 * applies its plan again. Existing container interfaces are never reconfigured: an endpoint whose veth
 * exists is left alone.
 *
 * <p>Layout per network (as Docker's overlay driver): a sandbox namespace with {@code br0} (the gateway
 * address) and {@code vxlan0} (created in the host namespace so that its UDP socket lives on the
 * underlay, then moved in; static FDB only, {@code nolearning}, and {@code proxy} so that ARP for remote
 * endpoints is answered from the permanent neighbor entries and never crosses the underlay).
 * Sandboxes do not forward between networks, which keeps networks isolated from each other.
 */
public final class DataPlane {
    private static final String ZERO_MAC = "00:00:00:00:00:00";
    private static final String FORWARD = "echo 1 > /proc/sys/net/ipv4/ip_forward";

    private final PlaneConfig config;
    private final Shell shell;
    private final RelayNamespace relay;
    private final HostRules hostRules;

    public DataPlane(PlaneConfig config, Shell shell) {
        this.config = config;
        this.shell = shell;
        this.relay = new RelayNamespace(config, shell);
        this.hostRules = new HostRules(config, shell);
    }

    /**
     * Makes the host's plane match {@code plan} and returns the changes made, one line per command
     * (empty when nothing had to change).
     */
    public List<String> apply(HostPlan plan) {
        Map<String, OverlayNetwork> wanted = new LinkedHashMap<>();
        Map<String, List<LocalEndpoint>> locals = new HashMap<>();
        Map<String, List<RemoteEndpoint>> remotes = new HashMap<>();
        Map<String, OverlayNetwork> byId = new HashMap<>();
        plan.networks().forEach(n -> byId.put(n.id(), n));
        for (LocalEndpoint e : plan.locals()) {
            if (!byId.containsKey(e.networkId())) {
                throw new IllegalArgumentException("local endpoint " + e.ip() + " is on unknown network " + e.networkId());
            }
            locals.computeIfAbsent(e.networkId(), k -> new ArrayList<>()).add(e);
        }
        for (OverlayNetwork n : plan.networks()) {
            if (locals.containsKey(n.id()) || n.nodeAddress() != null) {
                wanted.put(Naming.sandbox(config.sandboxPrefix(), n.id()), n);
            }
        }
        for (RemoteEndpoint r : plan.remotes()) {
            remotes.computeIfAbsent(r.networkId(), k -> new ArrayList<>()).add(r);
        }
        Map<String, String> defaultRouteNet = defaultRoutes(plan);

        List<String> changes = new ArrayList<>();
        Set<Integer> encrypted = new TreeSet<>();
        wanted.values().stream().filter(OverlayNetwork::encrypted).forEach(n -> encrypted.add(n.vni()));
        Set<String> namespaces = namespaces();
        relay.converge(encrypted, namespaces, changes);
        Set<String> existing = sandboxes(namespaces);
        for (String sb : existing) {
            if (!wanted.containsKey(sb)) {
                removeSandbox(sb, changes);
            }
        }
        removeStaleTempDevices(changes);
        for (Map.Entry<String, OverlayNetwork> w : wanted.entrySet()) {
            OverlayNetwork n = w.getValue();
            converge(w.getKey(), existing.contains(w.getKey()), n, locals.getOrDefault(n.id(), List.of()),
                    remotes.getOrDefault(n.id(), List.of()), plan.relayPorts(), defaultRouteNet, changes);
        }
        if (wanted.values().stream().anyMatch(n -> !n.internal())) {
            hostRules.converge(changes);
        }
        return changes;
    }

    /** Removes every sandbox this plane's prefix names (and any half-made VXLAN device). */
    public List<String> removeAll() {
        List<String> changes = new ArrayList<>();
        for (String sb : sandboxes()) {
            removeSandbox(sb, changes);
        }
        removeStaleTempDevices(changes);
        hostRules.remove();
        relay.remove(changes);
        return changes;
    }

    /**
     * Makes the relay namespace and its link to the host if they are missing (an encrypted
     * network's VXLAN device sends to {@link Naming#RELAY_ADDRESS} there); the relay's sockets for
     * peers must be opened after this, and are opened again if it had to be made again.
     */
    public List<String> ensureRelay() {
        List<String> changes = new ArrayList<>();
        relay.ensure(namespaces(), changes);
        return changes;
    }

    /** The current state of every sandbox, by namespace name. */
    public Map<String, SandboxState> observe() {
        Map<String, SandboxState> out = new TreeMap<>();
        for (String sb : sandboxes()) {
            out.put(sb, read(sb));
        }
        return out;
    }

    /** The sandbox namespace names that carry this plane's prefix. */
    public Set<String> sandboxes() {
        return sandboxes(namespaces());
    }

    private Set<String> sandboxes(Set<String> namespaces) {
        Set<String> out = new TreeSet<>();
        for (String name : namespaces) {
            if (name.startsWith(config.sandboxPrefix()) && !name.equals(Naming.relay(config.sandboxPrefix()))) {
                out.add(name);
            }
        }
        return out;
    }

    /** Every network namespace name under /run/netns. */
    Set<String> namespaces() {
        Set<String> out = new TreeSet<>();
        for (String line : shell.run("ip", "netns", "list").split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    private void converge(String sb, boolean exists, OverlayNetwork n, List<LocalEndpoint> locals, List<RemoteEndpoint> remotes,
                          Map<String, Integer> relayPorts, Map<String, String> defaultRouteNet, List<String> changes) {
        if (!exists) {
            run(changes, List.of("ip", "netns", "add", sb), null);
            bridgeNetfilterOff(sb, changes);
        }
        SandboxState s = read(sb);
        int mtu = config.mtuFor(n);
        String vxlanPort = Integer.toString(config.vxlanPort());

        // 1. removals inside the sandbox: a VXLAN device that no longer matches, veths of departed endpoints
        List<String> removals = new ArrayList<>();
        Link vx = s.links().get(Naming.VXLAN);
        boolean vxlanOk = vx != null && Integer.toString(n.vni()).equals(vx.attrs().get("id"))
                && config.underlayIp().equals(vx.attrs().get("local")) && vxlanPort.equals(vx.attrs().get("dstport"));
        if (vx != null && !vxlanOk) {
            removals.add("link del " + Naming.VXLAN);
        }
        Map<String, LocalEndpoint> wantedVeths = new TreeMap<>();
        locals.forEach(e -> wantedVeths.put(Naming.veth(e), e));
        for (String v : s.veths()) {
            if (!wantedVeths.containsKey(v)) {
                removals.add("link del " + v);
            }
        }
        batch(changes, List.of("ip", "-n", sb), removals);

        // 2. a new VXLAN device: made in the host namespace (its socket binds there), then moved in
        String temp = Naming.vxlanTemp(n.vni());
        if (!vxlanOk) {
            batch(changes, hostIp(), List.of(
                    "link add name " + temp + " type vxlan id " + n.vni() + " local " + config.underlayIp() + " dstport "
                            + vxlanPort + " nolearning proxy",
                    "link set " + temp + " netns " + sb));
        }

        // 3. the sandbox's devices, addresses, veths and neighbors
        List<String> cmds = new ArrayList<>();
        Link lo = s.links().get("lo");
        if (lo != null && !lo.up()) {
            cmds.add("link set lo up");
        }
        Link br = s.links().get(Naming.BRIDGE);
        if (br == null) {
            // with a node address, the bridge answers for it across the tunnel: remote hosts know it
            // by the MAC the address gives (Naming.macFor), as any endpoint
            cmds.add("link add name " + Naming.BRIDGE + " mtu " + mtu
                    + (n.nodeAddress() == null ? "" : " address " + Naming.macFor(n.nodeAddress())) + " type bridge");
        } else if (br.mtu() != mtu) {
            cmds.add("link set " + Naming.BRIDGE + " mtu " + mtu);
        }
        if (n.nodeAddress() != null && !s.bridgeIps().contains(n.nodeAddress() + "/" + n.prefix())) {
            // first, so it is the primary address: what masquerade picks as the source towards tasks
            cmds.add("addr add " + n.nodeAddress() + "/" + n.prefix() + " dev " + Naming.BRIDGE);
        }
        String gw = n.gateway() + "/" + n.prefix();
        if (!s.bridgeIps().contains(gw)) {
            cmds.add("addr add " + gw + " dev " + Naming.BRIDGE);
        }
        if (br == null || !br.up()) {
            cmds.add("link set " + Naming.BRIDGE + " up");
        }
        if (!vxlanOk) {
            cmds.add("link set " + temp + " name " + Naming.VXLAN);
        }
        if (!vxlanOk || vx.mtu() != mtu || !Naming.BRIDGE.equals(vx.master()) || !vx.up()) {
            cmds.add("link set " + Naming.VXLAN + " master " + Naming.BRIDGE + " mtu " + mtu + " up");
        }
        List<LocalEndpoint> added = new ArrayList<>();
        for (Map.Entry<String, LocalEndpoint> v : wantedVeths.entrySet()) {
            if (!s.links().containsKey(v.getKey())) {
                LocalEndpoint e = v.getValue();
                cmds.add("link add name " + v.getKey() + " mtu " + mtu + " type veth peer name " + e.ifName() + " mtu " + mtu
                        + " address " + e.effectiveMac() + " netns " + e.netns());
                cmds.add("link set " + v.getKey() + " master " + Naming.BRIDGE + " up");
                added.add(e);
            }
        }
        Map<String, String> neigh = new TreeMap<>();
        Set<Fdb> fdb = new TreeSet<>();
        for (RemoteEndpoint r : remotes) {
            neigh.put(r.ip(), r.effectiveMac());
            Fdb to = new Fdb(r.effectiveMac(), r.hostIp());
            if (n.encrypted()) {
                // through the relay's socket for that host, which seals it
                Integer port = relayPorts.get(r.hostIp());
                if (port == null) {
                    throw new IllegalArgumentException("no relay port for host " + r.hostIp() + " of encrypted network " + n.id());
                }
                to = new Fdb(r.effectiveMac(), Naming.RELAY_ADDRESS, port);
            }
            fdb.add(to);
            fdb.add(new Fdb(ZERO_MAC, to.dst(), to.port()));
        }
        Map<String, String> haveNeigh = vxlanOk ? s.neighbors() : Map.of();
        haveNeigh.forEach((ip, mac) -> {
            if (!neigh.containsKey(ip)) {
                cmds.add("neigh del " + ip + " dev " + Naming.VXLAN);
            }
        });
        neigh.forEach((ip, mac) -> {
            if (!mac.equals(haveNeigh.get(ip))) {
                cmds.add("neigh replace " + ip + " lladdr " + mac + " dev " + Naming.VXLAN + " nud permanent");
            }
        });
        batch(changes, List.of("ip", "-n", sb), cmds);
        if (!n.internal() && !s.links().containsKey(Naming.UPLINK)) {
            uplink(sb, n, changes);
        }

        // 4. the VXLAN forwarding entries: one all-zeros entry per remote host (broadcast and unknown
        // unicast are replicated to each), one entry per remote endpoint MAC
        Set<Fdb> haveFdb = vxlanOk ? s.fdb() : Set.of();
        List<String> fdbCmds = new ArrayList<>();
        for (Fdb f : haveFdb) {
            if (!fdb.contains(f)) {
                fdbCmds.add("fdb del " + f.mac() + " dev " + Naming.VXLAN + " " + f.target() + " self");
            }
        }
        for (Fdb f : fdb) {
            if (!haveFdb.contains(f)) {
                fdbCmds.add("fdb append " + f.mac() + " dev " + Naming.VXLAN + " " + f.target() + " self permanent");
            }
        }
        batch(changes, List.of("bridge", "-n", sb), fdbCmds);

        // 5. the container side of new veths
        for (LocalEndpoint e : added) {
            List<String> c = new ArrayList<>();
            c.add("link set lo up");
            c.add("addr add " + e.ip() + "/" + n.prefix() + " dev " + e.ifName());
            c.add("link set " + e.ifName() + " up");
            if (!n.internal() && n.id().equals(defaultRouteNet.get(e.netns()))) {
                c.add("route replace default via " + n.gateway() + " dev " + e.ifName());
            }
            batch(changes, containerIp(e.netns()), c);
        }
    }

    /**
     * Connects the sandbox of a network that is not internal to the host namespace: a veth pair on
     * a link-local /30, the sandbox forwarding between its bridge and the uplink with its default
     * route to the host, and the host routing the network's subnet back to the sandbox. With the
     * host table's masquerade this is the containers' way out; it is also how the host reaches
     * tasks (published ports).
     */
    private void uplink(String sb, OverlayNetwork n, List<String> changes) {
        String host = Naming.uplinkHost(n.vni());
        String[] addr = Naming.uplink(n.vni());
        List<String> hostCmds = new ArrayList<>();
        if (SandboxState.parseLinks(shell.run(Argv.concat(hostIp(), "-o", "link", "show"), null)).containsKey(host)) {
            hostCmds.add("link del " + host); // left from a sandbox that was deleted and made again
        }
        hostCmds.add("link add name " + host + " type veth peer name " + Naming.UPLINK + " netns " + sb);
        hostCmds.add("addr add " + addr[0] + "/30 dev " + host);
        hostCmds.add("link set " + host + " up");
        batch(changes, hostIp(), hostCmds);
        batch(changes, List.of("ip", "-n", sb), List.of(
                "addr add " + addr[1] + "/30 dev " + Naming.UPLINK,
                "link set " + Naming.UPLINK + " up",
                "route replace default via " + addr[0] + " dev " + Naming.UPLINK));
        run(changes, Argv.in(sb, "sh", "-c", FORWARD), null);
        batch(changes, hostIp(), List.of("route replace " + n.subnet() + " via " + addr[1] + " dev " + host));
    }


    /** Removes the host table and firewall rules (when the last sandbox is gone or on cleanup). */
    public void removeHostRules() {
        hostRules.remove();
    }


    /**
     * Where br_netfilter is loaded (Docker loads it), frames crossing a bridge also go through the IP
     * hooks of the bridge's namespace: work for every frame on br0 that no rule of a sandbox needs
     * (sandboxes isolate by namespace; the ingress sandbox's NAT is on routed traffic). Turned off per
     * sandbox; about 3% of overlay TCP throughput here (OverlayThroughputBench). Absent module: nothing to do.
     */
    private void bridgeNetfilterOff(String sb, List<String> changes) {
        if (!Files.exists(Path.of("/proc/sys/net/bridge"))) {
            return;
        }
        List<String> argv = Argv.in(sb, "sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0",
                "net.bridge.bridge-nf-call-ip6tables=0", "net.bridge.bridge-nf-call-arptables=0");
        try {
            shell.run(argv, null);
            changes.add(String.join(" ", argv));
        } catch (CommandException e) {
            // an optimisation only
        }
    }

    private SandboxState read(String sb) {
        Map<String, Link> links = SandboxState.parseLinks(shell.run("ip", "-n", sb, "-d", "-o", "link", "show"));
        Set<String> addrs = links.containsKey(Naming.BRIDGE)
                ? SandboxState.parseAddrs(shell.run("ip", "-n", sb, "-o", "-4", "addr", "show", "dev", Naming.BRIDGE))
                : Set.of();
        Set<Fdb> fdb = Set.of();
        Map<String, String> neigh = Map.of();
        if (links.containsKey(Naming.VXLAN)) {
            fdb = SandboxState.parseFdb(shell.run("bridge", "-n", sb, "fdb", "show", "dev", Naming.VXLAN));
            neigh = SandboxState.parseNeighbors(
                    shell.run("ip", "-n", sb, "neigh", "show", "dev", Naming.VXLAN, "nud", "permanent"));
        }
        return new SandboxState(sb, links, addrs, fdb, neigh);
    }

    private void removeSandbox(String sb, List<String> changes) {
        // Delete the devices first: a namespace is destroyed asynchronously, and until then its VXLAN
        // device would still hold the VNI's socket in the host namespace and its veths would still show
        // up (with their routes) in the containers.
        List<String> dels = new ArrayList<>();
        for (Link l : SandboxState.parseLinks(shell.run("ip", "-n", sb, "-o", "link", "show")).values()) {
            if (l.name().equals(Naming.VXLAN) || l.name().equals(Naming.UPLINK) || l.name().startsWith(Naming.VETH_PREFIX)) {
                dels.add("link del " + l.name());
            }
        }
        batch(changes, List.of("ip", "-n", sb), dels);
        run(changes, List.of("ip", "netns", "del", sb), null);
    }

    private void removeStaleTempDevices(List<String> changes) {
        List<String> argv = new ArrayList<>(hostIp());
        argv.addAll(List.of("-o", "link", "show"));
        List<String> dels = new ArrayList<>();
        for (String name : SandboxState.parseLinks(shell.run(argv, null)).keySet()) {
            if (name.startsWith(Naming.VXLAN_TEMP_PREFIX)) {
                dels.add("link del " + name);
            }
        }
        batch(changes, hostIp(), dels);
    }

    /** Per container namespace, the network that gives it a default route: the first non-internal one. */
    private static Map<String, String> defaultRoutes(HostPlan plan) {
        Map<String, String> out = new HashMap<>();
        Set<String> internal = new HashSet<>();
        plan.networks().stream().filter(OverlayNetwork::internal).forEach(n -> internal.add(n.id()));
        List<String> order = plan.networks().stream().map(OverlayNetwork::id).toList();
        for (LocalEndpoint e : plan.locals()) {
            if (internal.contains(e.networkId())) {
                continue;
            }
            String cur = out.get(e.netns());
            if (cur == null || order.indexOf(e.networkId()) < order.indexOf(cur)) {
                out.put(e.netns(), e.networkId());
            }
        }
        return out;
    }

    private List<String> hostIp() {
        return config.hostNetns() == null ? List.of("ip") : List.of("ip", "-n", config.hostNetns());
    }

    /** {@code ip} in a container namespace given by name (/run/netns) or by path (/proc/PID/ns/net). */
    static List<String> containerIp(String netns) {
        return netns.contains("/") ? List.of("nsenter", "--net=" + netns, "ip") : List.of("ip", "-n", netns);
    }

    private void batch(List<String> changes, List<String> tool, List<String> cmds) {
        if (cmds.isEmpty()) {
            return;
        }
        List<String> argv = new ArrayList<>(tool);
        argv.addAll(List.of("-batch", "-"));
        shell.run(argv, String.join("\n", cmds) + "\n");
        String where = String.join(" ", tool);
        cmds.forEach(c -> changes.add(where + " " + c));
    }

    private void run(List<String> changes, List<String> argv, String stdin) {
        changes.add(String.join(" ", argv));
        shell.run(argv, stdin);
    }
}
