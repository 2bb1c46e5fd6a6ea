package io.shoal.worker.net;

import io.shoal.api.IngressPort;
import io.shoal.api.NameRecord;
import io.shoal.api.Network;
import io.shoal.api.NetworkPeer;
import io.shoal.net.dns.ServiceEntry;
import io.shoal.net.dns.TaskEntry;
import io.shoal.net.nft.MeshTables;
import io.shoal.net.nft.VipService;
import io.shoal.net.crypt.KeyRing;
import io.shoal.net.crypt.NetworkKey;
import io.shoal.net.plane.HostPlan;
import io.shoal.net.plane.LocalEndpoint;
import io.shoal.net.plane.Naming;
import io.shoal.net.plane.OverlayNetwork;
import io.shoal.net.plane.RemoteEndpoint;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything this node's overlay should be, as values: the pure step from what the managers sent
 * and the containers attached here ({@link Desired}) to the kernel plan, the names each network's
 * resolver answers, who asks them, the VIP rules of each container and the routing mesh's tables.
 * {@link OverlayPlane} applies it; nothing here touches the kernel, the files or the network.
 *
 * @param host        the data plane: sandboxes, local endpoints (only on networks still listed), remote endpoints
 * @param resolved    the networks that get a resolver in their sandbox (all but the ingress network)
 * @param names       network id -> service name -> what its resolver answers, for every resolved network
 * @param askers      each local container's addresses (not on the ingress network) -> its networks, that address's first
 * @param vips        container namespace -> its VIP rules (every container on a network, maybe none)
 * @param meshHost    the host's published-ports table ("" for none)
 * @param meshSandbox the ingress sandbox's table ("" for none)
 * @param ingressId   the ingress network's id, or null when the node is not on it
 */
record OverlayPlan(HostPlan host, List<OverlayNetwork> resolved, Map<String, Map<String, ServiceEntry>> names,
                   Map<InetAddress, List<String>> askers, Map<String, List<VipService>> vips,
                   String meshHost, String meshSandbox, String ingressId) {

    /**
     * What the managers sent (the latest assignments message) and what runs here.
     *
     * @param networks       the node's networks, the ingress network last
     * @param ingressAddress this node's own address on the ingress network (IP/prefix), or ""
     * @param locals         task id -> the endpoints of its container here
     * @param hostPorts      task id -> its host-mode ports
     */
    record Desired(List<Network> networks, List<NetworkPeer> peers, List<NameRecord> names, List<IngressPort> ingressPorts,
                   String ingressAddress, Map<String, List<LocalEndpoint>> locals,
                   Map<String, List<MeshTables.PortMap>> hostPorts) {

        boolean isIngress(String networkId) {
            return networks.stream().anyMatch(n -> n.getId().equals(networkId) && n.getSpec().getIngress());
        }
    }

    /** The plan for {@code d}, with no encrypted network. */
    static OverlayPlan of(Desired d) {
        return of(d, Map.of());
    }

    /** The keys of the node's encrypted networks, as the managers sent them. */
    static KeyRing keys(List<Network> networks) {
        List<NetworkKey> keys = new ArrayList<>();
        for (Network n : networks) {
            if (n.getSpec().getEncrypted()) {
                for (io.shoal.api.NetworkKey k : n.getKeysList()) {
                    if (k.getKey().size() == 32) {
                        keys.add(new NetworkKey(k.getId(), (int) n.getVni(), k.getKey().toByteArray(), k.getPrimary()));
                    }
                }
            }
        }
        return new KeyRing(keys);
    }

    /** Whether a local container is on an encrypted network (only then has that network a sandbox here). */
    static boolean encrypted(Desired d) {
        return !encryptedHere(d).isEmpty();
    }

    /** The encrypted networks a local container is on. */
    private static Set<String> encryptedHere(Desired d) {
        Set<String> used = new HashSet<>();
        d.locals().values().forEach(eps -> eps.forEach(e -> used.add(e.networkId())));
        Set<String> enc = new HashSet<>();
        d.networks().stream().filter(n -> n.getSpec().getEncrypted() && used.contains(n.getId())).forEach(n -> enc.add(n.getId()));
        return enc;
    }

    /** The hosts of remote endpoints on those networks: the relay keeps a socket for each. */
    static Set<String> relayPeers(Desired d) {
        Set<String> enc = encryptedHere(d);
        Set<String> out = new TreeSet<>();
        d.peers().stream().filter(p -> enc.contains(p.getNetworkId())).forEach(p -> out.add(p.getHostIp()));
        return out;
    }

    /**
     * The plan for {@code d}; {@code relayPorts} gives the relay's local port for each host of
     * {@link #relayPeers}, where encrypted networks' forwarding entries point.
     */
    static OverlayPlan of(Desired d, Map<String, Integer> relayPorts) {
        List<OverlayNetwork> nets = new ArrayList<>();
        for (Network n : d.networks()) {
            if (n.getIpamCount() > 0) {
                String own = n.getSpec().getIngress() && !d.ingressAddress().isEmpty() ? ip(d.ingressAddress()) : null;
                nets.add(new OverlayNetwork(n.getId(), (int) n.getVni(), n.getIpam(0).getSubnet(), n.getIpam(0).getGateway(),
                        n.getSpec().getInternal(), 0, own, n.getSpec().getEncrypted()));
            }
        }
        // an endpoint whose network the managers no longer list (its task ended; its container is
        // on its way out) is simply not plugged any more
        Set<String> known = new HashSet<>();
        nets.forEach(n -> known.add(n.id()));
        List<LocalEndpoint> local = new ArrayList<>();
        d.locals().values().forEach(eps -> eps.stream().filter(e -> known.contains(e.networkId())).forEach(local::add));
        List<RemoteEndpoint> remotes = d.peers().stream()
                .map(p -> new RemoteEndpoint(p.getNetworkId(), p.getAddress(), null, p.getHostIp())).toList();
        List<OverlayNetwork> resolved = nets.stream().filter(n -> !d.isIngress(n.id())).toList();
        OverlayNetwork ingress = nets.stream().filter(n -> d.isIngress(n.id())).findFirst().orElse(null);
        List<MeshTables.PortMap> published = new ArrayList<>();
        if (ingress != null && ingress.nodeAddress() != null) {
            for (IngressPort p : d.ingressPorts()) {
                published.add(new MeshTables.PortMap(p.getProtocol().name().toLowerCase(), p.getPublishedPort(),
                        p.getTargetPort(), p.getBackendsList()));
            }
        }
        List<MeshTables.PortMap> hostMode = new ArrayList<>();
        d.hostPorts().values().forEach(hostMode::addAll);
        String sandboxAddr = ingress == null ? "" : Naming.uplink(ingress.vni())[1];
        String meshHost = published.isEmpty() && hostMode.isEmpty() ? "" : MeshTables.host(published, sandboxAddr, hostMode);
        String meshSandbox = published.isEmpty() ? "" : MeshTables.sandbox(published);
        return new OverlayPlan(new HostPlan(nets, local, remotes, relayPorts), resolved, names(d, resolved), askers(d), vips(d),
                meshHost, meshSandbox, ingress == null ? null : ingress.id());
    }

    /** What each resolved network's resolver answers: a service's VIP (or its tasks, with dnsrr) and its tasks. */
    private static Map<String, Map<String, ServiceEntry>> names(Desired d, List<OverlayNetwork> resolved) {
        Map<String, Map<String, ServiceEntry>> out = new LinkedHashMap<>();
        for (OverlayNetwork n : resolved) {
            Map<String, List<NameRecord>> byService = new LinkedHashMap<>();
            d.names().stream().filter(r -> r.getNetworkId().equals(n.id()))
                    .forEach(r -> byService.computeIfAbsent(r.getServiceName(), k -> new ArrayList<>()).add(r));
            Map<String, ServiceEntry> entries = new LinkedHashMap<>();
            for (var svc : byService.entrySet()) {
                List<TaskEntry> tasks = new ArrayList<>();
                Inet4Address vip = null;
                boolean dnsrr = false;
                // other names of the service here: a stack service's short name, network aliases
                Set<String> aliases = new TreeSet<>();
                for (NameRecord r : svc.getValue()) {
                    aliases.addAll(r.getAliasesList());
                    Inet4Address addr = inet(r.getAddress());
                    if (r.getVip()) {
                        vip = addr;
                    } else {
                        dnsrr |= r.getDnsrr();
                        tasks.add(TaskEntry.of(String.valueOf(r.getSlot()), r.getTaskId(), addr));
                    }
                }
                entries.put(svc.getKey(), new ServiceEntry(svc.getKey(), aliases, vip != null && !dnsrr ? vip : null, tasks));
            }
            out.put(n.id(), entries);
        }
        return out;
    }

    /**
     * Who may ask which names: each local container by each of its addresses, that address's
     * network first, then the container's other networks (the ingress network has no names).
     */
    private static Map<InetAddress, List<String>> askers(Desired d) {
        Map<InetAddress, List<String>> out = new LinkedHashMap<>();
        for (List<LocalEndpoint> eps : d.locals().values()) {
            List<String> all = eps.stream().map(LocalEndpoint::networkId).filter(id -> !d.isIngress(id)).toList();
            for (LocalEndpoint e : eps) {
                if (d.isIngress(e.networkId())) {
                    continue;
                }
                List<String> order = new ArrayList<>();
                order.add(e.networkId());
                all.stream().filter(id -> !id.equals(e.networkId())).forEach(order::add);
                out.put(inet(e.ip()), List.copyOf(order));
            }
        }
        return out;
    }

    /**
     * Service VIPs inside each local container: connections to a VIP (any port, as in swarm mode)
     * go to the service's running tasks, for every VIP of a network the container is on that has
     * at least one.
     */
    private static Map<String, List<VipService>> vips(Desired d) {
        Map<String, List<String>> backends = new LinkedHashMap<>();
        Map<String, String> vipOf = new LinkedHashMap<>(); // network/service -> vip
        for (NameRecord r : d.names()) {
            String key = r.getNetworkId() + "/" + r.getServiceName();
            if (r.getVip()) {
                vipOf.put(key, r.getAddress());
            } else if (!r.getDnsrr()) {
                backends.computeIfAbsent(key, k -> new ArrayList<>()).add(r.getAddress());
            }
        }
        Map<String, Set<String>> netsOfContainer = new LinkedHashMap<>();
        for (List<LocalEndpoint> eps : d.locals().values()) {
            for (LocalEndpoint e : eps) {
                netsOfContainer.computeIfAbsent(e.netns(), k -> new TreeSet<>()).add(e.networkId());
            }
        }
        Map<String, List<VipService>> out = new LinkedHashMap<>();
        for (var c : netsOfContainer.entrySet()) {
            List<VipService> wanted = new ArrayList<>();
            for (var v : vipOf.entrySet()) {
                String net = v.getKey().substring(0, v.getKey().indexOf('/'));
                List<String> to = backends.getOrDefault(v.getKey(), List.of());
                if (c.getValue().contains(net) && !to.isEmpty()) {
                    wanted.add(VipService.allPorts(v.getKey(), v.getValue(), to));
                }
            }
            out.put(c.getKey(), wanted);
        }
        return out;
    }

    static Inet4Address inet(String ip) {
        try {
            return (Inet4Address) InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    static String ip(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
