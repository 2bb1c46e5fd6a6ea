package io.shoal.worker.net;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.IngressPort;
import io.shoal.api.NameRecord;
import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.NetworkPeer;
import io.shoal.api.PortConfig;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.net.dns.ClientTable;
import io.shoal.net.dns.DnsServer;
import io.shoal.net.dns.ServiceEntry;
import io.shoal.net.dns.ServiceRecords;
import io.shoal.net.dns.TaskEntry;
import io.shoal.net.dns.Upstreams;
import io.shoal.net.nft.MeshTables;
import io.shoal.net.nft.Nft;
import io.shoal.net.nft.VipRuleset;
import io.shoal.net.nft.VipService;
import io.shoal.net.plane.DataPlane;
import io.shoal.net.plane.HostPlan;
import io.shoal.net.plane.LocalEndpoint;
import io.shoal.net.plane.Naming;
import io.shoal.net.plane.OverlayNetwork;
import io.shoal.net.plane.PlaneConfig;
import io.shoal.net.plane.RemoteEndpoint;
import io.shoal.net.sys.ProcessShell;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.NetworkAttacher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * This node's overlay data plane, kept equal to what the managers say: the networks its tasks are
 * on and every remote endpoint of them come with each assignments message ({@link #update}); the
 * local endpoints are the containers attached here ({@link #attach}). Every change re-applies the
 * whole desired plan, which {@link DataPlane} turns into only the missing or stale kernel state, so
 * a restarted worker converges without touching running containers. The sandbox namespaces made
 * are listed in {@code DATA_DIR/net/sandboxes} for tools that clean up (the lab).
 */
public final class OverlayPlane implements NetworkAttacher {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayPlane.class);

    private final Path stateDir;
    private DataPlane plane;
    private PlaneConfig config;
    private List<Network> networks = List.of();
    private List<NetworkPeer> peers = List.of();
    private List<NameRecord> names = List.of();
    private List<IngressPort> ingressPorts = List.of();
    /** this node's own address on the ingress network (IP/prefix), or "" */
    private String ingressAddress = "";
    /** task id -> its host-mode ports, each to the task's ingress address */
    private final Map<String, List<MeshTables.PortMap>> hostPorts = new LinkedHashMap<>();
    /** the mesh tables last applied: host namespace, ingress sandbox */
    private String meshHost = "";
    private String meshSandbox = "";
    private String prefix;
    /** where a task's container already has its network namespace (live restore), or null */
    private Function<Task, String> existing = t -> null;
    private boolean restored;
    /** network id -> the resolver serving it in its sandbox */
    private final Map<String, Resolver> resolvers = new LinkedHashMap<>();

    /** container netns -> its VIP rules */
    private final Map<String, VipRuleset> vipRules = new LinkedHashMap<>();
    private final Nft nft = new Nft(new ProcessShell());

    private record Resolver(DnsServer server, Set<String> services) {}
    /**
     * The names of every local network, shared by the node's resolvers, and who asks: a container
     * (by its address on any network) resolves the names of all its networks, whichever resolver
     * it asks; the first network's answer wins for a name on several.
     */
    private final ClientTable clients = new ClientTable();
    private final ServiceRecords records = new ServiceRecords(clients);
    private final Set<InetAddress> askers = new HashSet<>();
    private final Map<String, List<LocalEndpoint>> locals = new LinkedHashMap<>();

    public OverlayPlane(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** Called once the node knows who it is: its id (names its sandboxes) and its underlay address. */
    public synchronized void configure(String nodeId, String underlayIp) {
        if (plane == null) {
            prefix = "shoal-" + nodeId.substring(0, Math.min(8, nodeId.length())) + "-";
            config = new PlaneConfig(null, underlayIp, PlaneConfig.DEFAULT_VXLAN_PORT, 1500, prefix);
            plane = new DataPlane(config, new ProcessShell());
        }
    }

    /** How to find the network namespace of a container that outlived a restart of this worker. */
    public synchronized void existingNetns(Function<Task, String> lookup) {
        this.existing = lookup;
    }

    /**
     * The networks, remote endpoints, names and published ports from the latest assignments
     * message. The first full message after the worker started also plugs the endpoints of
     * containers that lived on back into the plan, before anything is applied, so a restart
     * never unplugs a running container.
     */
    public synchronized void update(AssignmentsMessage m) {
        boolean force = false;
        int port = m.getVxlanPort() > 0 ? m.getVxlanPort() : PlaneConfig.DEFAULT_VXLAN_PORT;
        if (plane != null && port != config.vxlanPort()) {
            // the cluster's VXLAN port (set at init): the plane recreates devices made for another
            config = new PlaneConfig(config.hostNetns(), config.underlayIp(), port, config.underlayMtu(), config.sandboxPrefix());
            plane = new DataPlane(config, new ProcessShell());
            force = true;
        }
        if (!restored && m.getFull()) {
            force = true;
            restored = true;
            for (Task t : m.getTasksList()) {
                if (t.getNetworksCount() > 0 && !locals.containsKey(t.getId())
                        && t.getStatus().getState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE) {
                    String netns = existing.apply(t);
                    if (netns != null) {
                        this.networks = List.copyOf(m.getNetworksList());
                        register(t, netns);
                    }
                }
            }
        }
        update(m.getNetworksList(), m.getPeersList(), m.getNamesList(), m.getIngressPortsList(), m.getIngressAddress(), force);
    }

    private void update(List<Network> networks, List<NetworkPeer> peers, List<NameRecord> names,
                        List<IngressPort> ingressPorts, String ingressAddress, boolean force) {
        if (!force && networks.equals(this.networks) && peers.equals(this.peers) && names.equals(this.names)
                && ingressPorts.equals(this.ingressPorts) && ingressAddress.equals(this.ingressAddress)) {
            return;
        }
        // the ingress network last: a container's default route and resolver come from its own networks first
        List<Network> ordered = new ArrayList<>(networks);
        ordered.sort(Comparator.comparing(n -> n.getSpec().getIngress()));
        this.networks = List.copyOf(ordered);
        this.peers = List.copyOf(peers);
        this.names = List.copyOf(names);
        this.ingressPorts = List.copyOf(ingressPorts);
        this.ingressAddress = ingressAddress;
        try {
            apply();
        } catch (ExecException e) {
            LOG.warn("overlay update failed (retried with the next change): {}", e.getMessage());
        }
    }

    @Override
    public synchronized void attach(Task task, String netns) throws ExecException {
        if (task.getNetworksCount() == 0) {
            return;
        }
        if (plane == null) {
            throw new ExecException("the overlay data plane is not configured on this node");
        }
        // the task's own networks may not have reached us through assignments yet
        for (NetworkAttachment a : task.getNetworksList()) {
            if (networks.stream().noneMatch(x -> x.getId().equals(a.getNetworkId()))) {
                throw new ExecException("network " + a.getNetworkId() + " of the task is not known on this node yet");
            }
        }
        register(task, netns);
        apply();
    }

    /** Puts the task's endpoints (and host-mode ports) into the plan, without applying it. */
    private void register(Task task, String netns) {
        List<LocalEndpoint> eps = new ArrayList<>();
        int i = 0;
        for (NetworkAttachment a : task.getNetworksList()) {
            if (a.getReleasedMs() == 0) {
                eps.add(new LocalEndpoint(a.getNetworkId(), netns, ip(a.getAddress()), null, "eth" + i++));
            }
        }
        locals.put(task.getId(), eps);
        String ingressIp = task.getNetworksList().stream().filter(a -> a.getReleasedMs() == 0 && isIngress(a.getNetworkId()))
                .map(a -> ip(a.getAddress())).findFirst().orElse(null);
        List<MeshTables.PortMap> mine = new ArrayList<>();
        for (PortConfig p : task.getEndpoint().getPortsList()) {
            if (p.getPublishMode() == PortConfig.PublishMode.HOST && ingressIp != null) {
                mine.add(new MeshTables.PortMap(p.getProtocol().name().toLowerCase(), p.getPublishedPort(),
                        p.getTargetPort(), List.of(ingressIp)));
            }
        }
        if (!mine.isEmpty()) {
            hostPorts.put(task.getId(), mine);
        }
    }

    private boolean isIngress(String networkId) {
        return networks.stream().anyMatch(n -> n.getId().equals(networkId) && n.getSpec().getIngress());
    }

    @Override
    public synchronized void detach(Task task) throws ExecException {
        boolean ported = hostPorts.remove(task.getId()) != null;
        if (locals.remove(task.getId()) != null || ported) {
            apply();
        }
    }

    @Override
    public synchronized String resolver(Task task) {
        if (plane == null || task.getNetworksCount() == 0) {
            return null;
        }
        // the first network of the task's own (the ingress network has no resolver)
        String first = task.getNetworksList().stream().map(NetworkAttachment::getNetworkId).filter(id -> !isIngress(id))
                .findFirst().orElse(null);
        return networks.stream().filter(n -> n.getId().equals(first) && n.getIpamCount() > 0)
                .map(n -> n.getIpam(0).getGateway()).findFirst().orElse(null);
    }

    /**
     * Where a network's resolver sends names it does not know: the host's resolvers, reached through
     * the sandbox's uplink (none for an internal network, which has no way out; nor loopback ones,
     * which the sandbox cannot reach).
     */
    private static List<InetSocketAddress> upstreams(OverlayNetwork n) {
        if (n.internal()) {
            return List.of();
        }
        try {
            return Upstreams.host().stream().filter(a -> !a.getAddress().isLoopbackAddress()).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** Starts a resolver in each sandbox that has none, stops those whose sandbox is gone, and refreshes their names. */
    private void resolvers(List<OverlayNetwork> nets) {
        Set<String> sandboxes = plane.sandboxes();
        for (OverlayNetwork n : nets) {
            String sandbox = Naming.sandbox(prefix, n.id());
            if (sandboxes.contains(sandbox) && !resolvers.containsKey(n.id()) && !isIngress(n.id())) {
                try {
                    var server = Netns.run(sandbox, () -> DnsServer.builder(records)
                            .bind(new InetSocketAddress(n.gateway(), 53)).upstreams(upstreams(n)).start());
                    resolvers.put(n.id(), new Resolver(server, new HashSet<>()));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot start the resolver of network {}: {}", n.id(), e.getMessage());
                }
            }
        }
        for (var it = resolvers.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!sandboxes.contains(Naming.sandbox(prefix, e.getKey()))) {
                e.getValue().server().close();
                records.removeNetwork(e.getKey());
                it.remove();
            }
        }
        askers(nets);
        for (var e : resolvers.entrySet()) {
            Map<String, List<NameRecord>> byService = new LinkedHashMap<>();
            names.stream().filter(r -> r.getNetworkId().equals(e.getKey()))
                    .forEach(r -> byService.computeIfAbsent(r.getServiceName(), k -> new ArrayList<>()).add(r));
            for (var svc : byService.entrySet()) {
                List<TaskEntry> tasks = new ArrayList<>();
                Inet4Address vip = null;
                boolean dnsrr = false;
                for (NameRecord r : svc.getValue()) {
                    Inet4Address addr = inet(r.getAddress());
                    if (r.getVip()) {
                        vip = addr;
                    } else {
                        dnsrr |= r.getDnsrr();
                        tasks.add(TaskEntry.of(String.valueOf(r.getSlot()), r.getTaskId(), addr));
                    }
                }
                records.put(e.getKey(), vip != null && !dnsrr
                        ? ServiceEntry.vip(svc.getKey(), vip, tasks)
                        : ServiceEntry.dnsrr(svc.getKey(), tasks));
            }
            for (String gone : new ArrayList<>(e.getValue().services())) {
                if (!byService.containsKey(gone)) {
                    records.remove(e.getKey(), gone);
                }
            }
            e.getValue().services().clear();
            e.getValue().services().addAll(byService.keySet());
        }
    }

    /**
     * Who may ask which names: each local container by each of its addresses (that address's
     * network first, then the container's other networks), and anything in a sandbox (the gateway
     * address) the sandbox's own network.
     */
    private void askers(List<OverlayNetwork> nets) {
        Set<InetAddress> now = new HashSet<>();
        for (OverlayNetwork n : nets) {
            if (resolvers.containsKey(n.id())) {
                InetAddress gw = inet(n.gateway());
                clients.put(gw, List.of(n.id()));
                now.add(gw);
            }
        }
        for (List<LocalEndpoint> eps : locals.values()) {
            List<String> all = eps.stream().map(LocalEndpoint::networkId).filter(id -> !isIngress(id)).toList();
            for (LocalEndpoint e : eps) {
                if (isIngress(e.networkId())) {
                    continue;
                }
                List<String> order = new ArrayList<>();
                order.add(e.networkId());
                all.stream().filter(id -> !id.equals(e.networkId())).forEach(order::add);
                InetAddress a = inet(e.ip());
                clients.put(a, order);
                now.add(a);
            }
        }
        for (InetAddress gone : askers) {
            if (!now.contains(gone)) {
                clients.remove(gone);
            }
        }
        askers.clear();
        askers.addAll(now);
    }

    /**
     * Service VIPs inside each local container: connections to a VIP (any port, as in swarm mode)
     * are spread over the service's running tasks by nftables DNAT in the container's own namespace
     * (output hook), so replies come back through the same connection tracking. Each container's
     * {@link io.shoal.net.nft.VipRuleset} gets the whole desired set and sends the kernel only the
     * difference, one transaction per change (verdict maps, a chain per service); the table is
     * never flushed in steady state.
     */
    private void vips() {
        Map<String, List<String>> backends = new LinkedHashMap<>();
        Map<String, String> vipOf = new LinkedHashMap<>(); // network/service -> vip
        for (NameRecord r : names) {
            String key = r.getNetworkId() + "/" + r.getServiceName();
            if (r.getVip()) {
                vipOf.put(key, r.getAddress());
            } else if (!r.getDnsrr()) {
                backends.computeIfAbsent(key, k -> new ArrayList<>()).add(r.getAddress());
            }
        }
        Map<String, Set<String>> netsOfContainer = new LinkedHashMap<>();
        for (List<LocalEndpoint> eps : locals.values()) {
            for (LocalEndpoint e : eps) {
                netsOfContainer.computeIfAbsent(e.netns(), k -> new TreeSet<>()).add(e.networkId());
            }
        }
        for (var c : netsOfContainer.entrySet()) {
            List<VipService> wanted = new ArrayList<>();
            for (var v : vipOf.entrySet()) {
                String net = v.getKey().substring(0, v.getKey().indexOf('/'));
                List<String> to = backends.getOrDefault(v.getKey(), List.of());
                if (c.getValue().contains(net) && !to.isEmpty()) {
                    wanted.add(VipService.allPorts(v.getKey(), v.getValue(), to));
                }
            }
            try {
                vipRules.computeIfAbsent(c.getKey(), ns -> new VipRuleset(nft, ns)).apply(wanted);
            } catch (RuntimeException e) {
                LOG.warn("cannot set the service VIP rules in {}: {}", c.getKey(), e.getMessage());
            }
        }
        vipRules.keySet().retainAll(netsOfContainer.keySet()); // the namespace goes with its container
    }

    /**
     * Published ports: the host's table sends ingress ports to the ingress sandbox and host-mode
     * ports to their local task; the sandbox's table spreads ingress ports over every running task
     * of the service. Each is replaced whole when it changes.
     */
    private void mesh(List<OverlayNetwork> nets) {
        OverlayNetwork ingress = nets.stream().filter(n -> isIngress(n.id())).findFirst().orElse(null);
        List<MeshTables.PortMap> published = new ArrayList<>();
        if (ingress != null && ingress.nodeAddress() != null) {
            for (IngressPort p : ingressPorts) {
                published.add(new MeshTables.PortMap(p.getProtocol().name().toLowerCase(), p.getPublishedPort(),
                        p.getTargetPort(), p.getBackendsList()));
            }
        }
        List<MeshTables.PortMap> hostMode = new ArrayList<>();
        hostPorts.values().forEach(hostMode::addAll);
        String sandboxAddr = ingress == null ? "" : Naming.uplink(ingress.vni())[1];
        String host = published.isEmpty() && hostMode.isEmpty() ? "" : MeshTables.host(published, sandboxAddr, hostMode);
        String sandbox = published.isEmpty() ? "" : MeshTables.sandbox(published);
        if (!host.equals(meshHost)) {
            if (!host.isEmpty()) {
                localnet();
            }
            try {
                nft.apply(null, host.isEmpty() ? MeshTables.remove() : MeshTables.replace(host));
                meshHost = host;
            } catch (RuntimeException e) {
                LOG.warn("cannot set the published ports of this node: {}", e.getMessage());
            }
        }
        if (!sandbox.equals(meshSandbox) && ingress != null) {
            try {
                String sb = Naming.sandbox(prefix, ingress.id());
                nft.apply(sb, sandbox.isEmpty() ? MeshTables.remove() : MeshTables.replace(sandbox));
                meshSandbox = sandbox;
            } catch (RuntimeException e) {
                LOG.warn("cannot set the routing mesh in the ingress sandbox: {}", e.getMessage());
            }
        } else if (ingress == null) {
            meshSandbox = "";
        }
    }

    /**
     * Lets connections to 127.0.0.1 reach published ports (as kube-proxy does for node ports): the
     * kernel otherwise drops packets with a loopback address that leave through another interface.
     */
    private static void localnet() {
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv4/conf/all/route_localnet"), "1");
        } catch (IOException | RuntimeException e) {
            LOG.warn("published ports will not answer on 127.0.0.1: cannot set route_localnet: {}", e.getMessage());
        }
    }

    private static Inet4Address inet(String ip) {
        try {
            return (Inet4Address) InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    private void apply() throws ExecException {
        if (plane == null) {
            return;
        }
        List<OverlayNetwork> nets = new ArrayList<>();
        for (Network n : networks) {
            if (n.getIpamCount() > 0) {
                String own = n.getSpec().getIngress() && !ingressAddress.isEmpty() ? ip(ingressAddress) : null;
                nets.add(new OverlayNetwork(n.getId(), (int) n.getVni(), n.getIpam(0).getSubnet(), n.getIpam(0).getGateway(),
                        n.getSpec().getInternal(), 0, own));
            }
        }
        // an endpoint whose network the managers no longer list (its task ended; its container is
        // on its way out) is simply not plugged any more
        Set<String> known = new HashSet<>();
        nets.forEach(n -> known.add(n.id()));
        List<LocalEndpoint> local = new ArrayList<>();
        locals.values().forEach(eps -> eps.stream().filter(e -> known.contains(e.networkId())).forEach(local::add));
        List<RemoteEndpoint> remotes = peers.stream().map(p -> new RemoteEndpoint(p.getNetworkId(), p.getAddress(), null, p.getHostIp())).toList();
        try {
            List<String> ran = plane.apply(new HostPlan(nets, local, remotes));
            if (!ran.isEmpty()) {
                LOG.debug("overlay: {} commands", ran.size());
            }
            Files.createDirectories(stateDir);
            Files.write(stateDir.resolve("sandboxes"), plane.sandboxes());
            resolvers(nets);
            vips();
            mesh(nets);
        } catch (RuntimeException | IOException e) {
            throw new ExecException("cannot set up the overlay networks: " + e.getMessage(), e);
        }
    }

    private static String ip(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
