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
import io.shoal.net.crypt.Relay;
import io.shoal.net.dns.ClientTable;
import io.shoal.net.dns.ServiceEntry;
import io.shoal.net.dns.ServiceRecords;
import io.shoal.net.nft.MeshTables;
import io.shoal.net.nft.Nft;
import io.shoal.net.nft.VipRuleset;
import io.shoal.net.plane.DataPlane;
import io.shoal.net.plane.LocalEndpoint;
import io.shoal.net.plane.Naming;
import io.shoal.net.plane.OverlayNetwork;
import io.shoal.net.plane.PlaneConfig;
import io.shoal.net.sys.ProcessShell;
import io.shoal.net.sys.Shell;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.NetworkAttacher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * This node's overlay data plane, kept equal to what the managers say: the networks its tasks are
 * on and every remote endpoint of them come with each assignments message ({@link #update}); the
 * local endpoints are the containers attached here ({@link #attach}). Every change computes the
 * whole desired state ({@link OverlayPlan}, pure) and applies it: {@link DataPlane} turns the
 * kernel part into only the missing or stale state, so a restarted worker converges without
 * touching running containers; resolvers, VIP rules and the routing mesh's tables follow. The
 * sandbox namespaces made are listed in {@code DATA_DIR/net/sandboxes} for tools that clean up (the
 * lab). Commands go through an injected {@link Shell}, resolvers and sysctls through an injected
 * {@link Host}, so the whole of it runs in tests against fakes.
 */
public final class OverlayPlane implements NetworkAttacher {
    private static final Logger LOG = LoggerFactory.getLogger(OverlayPlane.class);

    private final Path stateDir;
    private final Shell shell;
    private final Host host;
    private final Nft nft;
    /**
     * The names of every local network, shared by the node's resolvers, and who asks: a container
     * (by its address on any network) resolves the names of all its networks, whichever resolver
     * it asks; the first network's answer wins for a name on several.
     */
    private final ClientTable clients = new ClientTable();
    private final ServiceRecords records = new ServiceRecords(clients);
    private final Set<InetAddress> askers = new HashSet<>();
    /** task id -> its container's endpoints here */
    private final Map<String, List<LocalEndpoint>> locals = new LinkedHashMap<>();
    /** task id -> its host-mode ports, each to the task's ingress address */
    private final Map<String, List<MeshTables.PortMap>> hostPorts = new LinkedHashMap<>();
    /** network id -> the resolver serving it in its sandbox */
    private final Map<String, Resolver> resolvers = new LinkedHashMap<>();
    /** container netns -> its VIP rules */
    private final Map<String, VipRuleset> vipRules = new LinkedHashMap<>();
    private DataPlane plane;
    /** the relay of encrypted networks, while the node has one (read without the lock by {@link #relayCounters}) */
    private volatile Relay relay;
    private PlaneConfig config;
    private String prefix;
    private List<Network> networks = List.of();
    private List<NetworkPeer> peers = List.of();
    private List<NameRecord> names = List.of();
    private List<IngressPort> ingressPorts = List.of();
    /** this node's own address on the ingress network (IP/prefix), or "" */
    private String ingressAddress = "";
    /** the mesh tables last applied: host namespace, ingress sandbox */
    private String meshHost = "";
    private String meshSandbox = "";
    /** where a task's container already has its network namespace (live restore), or null */
    private Function<Task, String> existing = t -> null;
    private boolean restored;

    /** What the plane needs of the host besides commands: resolvers in sandboxes, a sysctl, the host's own resolvers. */
    public interface Host {
        /** Starts a DNS server for {@code records} inside the sandbox namespace, bound to {@code bind}. */
        AutoCloseable startResolver(String sandbox, InetSocketAddress bind, List<InetSocketAddress> upstreams,
                                    ServiceRecords records) throws IOException;

        /** Lets connections to 127.0.0.1 reach published ports (route_localnet). */
        void routeLocalnet() throws IOException;

        /** The host's own resolvers, where names a network does not know go. */
        List<InetSocketAddress> upstreams() throws IOException;

        /** Starts the relay of encrypted networks ({@link Relay}), its peer sockets in {@code relayNetns}. */
        default Relay startRelay(String relayNetns, String underlayIp, int port, int vxlanPort) throws IOException {
            throw new IOException("this host runs no relay for encrypted networks");
        }
    }

    private record Resolver(AutoCloseable server, Set<String> services) {}

    /** On this Linux host: commands through processes, resolvers entered with setns(2). */
    public OverlayPlane(Path stateDir) {
        this(stateDir, new ProcessShell(), new LinuxHost());
    }

    public OverlayPlane(Path stateDir, Shell shell, Host host) {
        this.stateDir = stateDir;
        this.shell = shell;
        this.host = host;
        this.nft = new Nft(shell);
    }

    /** Called once the node knows who it is: its id (names its sandboxes) and its underlay address. */
    public synchronized void configure(String nodeId, String underlayIp) {
        if (plane == null) {
            prefix = "shoal-" + nodeId.substring(0, Math.min(8, nodeId.length())) + "-";
            config = new PlaneConfig(null, underlayIp, PlaneConfig.DEFAULT_VXLAN_PORT, 1500, prefix);
            plane = new DataPlane(config, shell);
            recordPrefix();
        }
    }

    /**
     * Writes the sandbox prefix to {@code net/sandbox-prefix} before any sandbox exists, so that
     * whoever cleans up after this node (the lab's {@code down}) finds every sandbox, even one made by
     * an apply that a kill cut short before {@code net/sandboxes} was written.
     */
    private void recordPrefix() {
        try {
            Files.createDirectories(stateDir);
            Files.writeString(stateDir.resolve("sandbox-prefix"), prefix + "\n");
        } catch (IOException e) {
            LOG.warn("overlay: cannot write {}: {}", stateDir.resolve("sandbox-prefix"), e.getMessage());
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
            plane = new DataPlane(config, shell);
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
        if (!force && m.getNetworksList().equals(networks) && m.getPeersList().equals(peers) && m.getNamesList().equals(names)
                && m.getIngressPortsList().equals(ingressPorts) && m.getIngressAddress().equals(ingressAddress)) {
            return;
        }
        // the ingress network last: a container's default route and resolver come from its own networks first
        List<Network> ordered = new ArrayList<>(m.getNetworksList());
        ordered.sort(Comparator.comparing(n -> n.getSpec().getIngress()));
        this.networks = List.copyOf(ordered);
        this.peers = List.copyOf(m.getPeersList());
        this.names = List.copyOf(m.getNamesList());
        this.ingressPorts = List.copyOf(m.getIngressPortsList());
        this.ingressAddress = m.getIngressAddress();
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

    /** Puts the task's endpoints (and host-mode ports) into the desired state, without applying it. */
    private void register(Task task, String netns) {
        List<LocalEndpoint> eps = new ArrayList<>();
        int i = 0;
        for (NetworkAttachment a : task.getNetworksList()) {
            if (a.getReleasedMs() == 0) {
                eps.add(new LocalEndpoint(a.getNetworkId(), netns, OverlayPlan.ip(a.getAddress()), null, "eth" + i++));
            }
        }
        locals.put(task.getId(), eps);
        String ingressIp = task.getNetworksList().stream().filter(a -> a.getReleasedMs() == 0 && desired().isIngress(a.getNetworkId()))
                .map(a -> OverlayPlan.ip(a.getAddress())).findFirst().orElse(null);
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
        OverlayPlan.Desired d = desired();
        String first = task.getNetworksList().stream().map(NetworkAttachment::getNetworkId).filter(id -> !d.isIngress(id))
                .findFirst().orElse(null);
        return networks.stream().filter(n -> n.getId().equals(first) && n.getIpamCount() > 0)
                .map(n -> n.getIpam(0).getGateway()).findFirst().orElse(null);
    }

    private OverlayPlan.Desired desired() {
        return new OverlayPlan.Desired(networks, peers, names, ingressPorts, ingressAddress, locals, hostPorts);
    }

    /** Makes the node's overlay what the plan says: the kernel's data plane first, then resolvers, VIP rules, the mesh. */
    private void apply() throws ExecException {
        if (plane == null) {
            return;
        }
        OverlayPlan.Desired d = desired();
        try {
            OverlayPlan plan = OverlayPlan.of(d, relay(d));
            List<String> ran = plane.apply(plan.host());
            if (!ran.isEmpty()) {
                LOG.debug("overlay: {} commands", ran.size());
            }
            Files.createDirectories(stateDir);
            Files.write(stateDir.resolve("sandboxes"), plane.sandboxes());
            resolvers(plan);
            vips(plan);
            mesh(plan);
        } catch (RuntimeException | IOException e) {
            throw new ExecException("cannot set up the overlay networks: " + e.getMessage(), e);
        }
    }

    /**
     * The relay of encrypted networks: started with the first one (after the data plane made its
     * namespace), given the networks' keys and one local socket per peer host, whose ports the
     * forwarding entries name; stopped with the last one.
     */
    private Map<String, Integer> relay(OverlayPlan.Desired d) throws IOException {
        if (!OverlayPlan.encrypted(d)) {
            if (relay != null) {
                relay.close();
                relay = null;
            }
            return Map.of();
        }
        plane.ensureRelay();
        if (relay != null && relay.port() != config.relayPort()) {
            relay.close(); // the cluster's VXLAN port changed
            relay = null;
        }
        if (relay == null) {
            relay = host.startRelay(Naming.relay(prefix), config.underlayIp(), config.relayPort(), config.vxlanPort());
        }
        return relay.update(OverlayPlan.keys(networks), OverlayPlan.relayPeers(d));
    }

    /** Packets the relay sealed, opened and refused (empty without an encrypted network); never waits for an apply. */
    public Map<String, Long> relayCounters() {
        Relay r = relay;
        return r == null ? Map.of() : r.counters();
    }

    /**
     * Starts a resolver in each sandbox that has none, stops those whose sandbox is gone, and sets
     * their names and askers. A network's resolver sends names it does not know to the host's
     * resolvers through the sandbox's uplink (none for an internal network, which has no way out;
     * nor loopback ones, which the sandbox cannot reach).
     */
    private void resolvers(OverlayPlan plan) {
        Set<String> sandboxes = plane.sandboxes();
        for (OverlayNetwork n : plan.resolved()) {
            String sandbox = Naming.sandbox(prefix, n.id());
            if (sandboxes.contains(sandbox) && !resolvers.containsKey(n.id())) {
                try {
                    var server = host.startResolver(sandbox, new InetSocketAddress(n.gateway(), 53), upstreams(n), records);
                    resolvers.put(n.id(), new Resolver(server, new HashSet<>()));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot start the resolver of network {}: {}", n.id(), e.getMessage());
                }
            }
        }
        for (var it = resolvers.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!sandboxes.contains(Naming.sandbox(prefix, e.getKey()))) {
                close(e.getValue().server());
                records.removeNetwork(e.getKey());
                it.remove();
            }
        }
        askers(plan);
        for (var e : resolvers.entrySet()) {
            Map<String, ServiceEntry> wanted = plan.names().getOrDefault(e.getKey(), Map.of());
            wanted.values().forEach(s -> records.put(e.getKey(), s));
            for (String gone : new ArrayList<>(e.getValue().services())) {
                if (!wanted.containsKey(gone)) {
                    records.remove(e.getKey(), gone);
                }
            }
            e.getValue().services().clear();
            e.getValue().services().addAll(wanted.keySet());
        }
    }

    private List<InetSocketAddress> upstreams(OverlayNetwork n) {
        if (n.internal()) {
            return List.of();
        }
        try {
            return host.upstreams().stream().filter(a -> !a.getAddress().isLoopbackAddress()).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The askers of the plan, and anything in a sandbox with a resolver (its gateway address) asking its own network. */
    private void askers(OverlayPlan plan) {
        Map<InetAddress, List<String>> now = new LinkedHashMap<>();
        for (OverlayNetwork n : plan.host().networks()) {
            if (resolvers.containsKey(n.id())) {
                now.put(OverlayPlan.inet(n.gateway()), List.of(n.id()));
            }
        }
        now.putAll(plan.askers());
        now.forEach(clients::put);
        for (InetAddress gone : askers) {
            if (!now.containsKey(gone)) {
                clients.remove(gone);
            }
        }
        askers.clear();
        askers.addAll(now.keySet());
    }

    /**
     * Each container's {@link VipRuleset} gets the whole desired set and sends the kernel only the
     * difference, one transaction per change (verdict maps, a chain per service); the table is
     * never flushed in steady state.
     */
    private void vips(OverlayPlan plan) {
        for (var c : plan.vips().entrySet()) {
            try {
                vipRules.computeIfAbsent(c.getKey(), ns -> new VipRuleset(nft, ns)).apply(c.getValue());
            } catch (RuntimeException e) {
                LOG.warn("cannot set the service VIP rules in {}: {}", c.getKey(), e.getMessage());
            }
        }
        vipRules.keySet().retainAll(plan.vips().keySet()); // the namespace goes with its container
    }

    /**
     * Published ports: the host's table sends ingress ports to the ingress sandbox and host-mode
     * ports to their local task; the sandbox's table spreads ingress ports over every running task
     * of the service. Each is replaced whole when it changes.
     */
    private void mesh(OverlayPlan plan) {
        if (!plan.meshHost().equals(meshHost)) {
            if (!plan.meshHost().isEmpty()) {
                try {
                    host.routeLocalnet();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("published ports will not answer on 127.0.0.1: cannot set route_localnet: {}", e.getMessage());
                }
            }
            try {
                nft.apply(null, plan.meshHost().isEmpty() ? MeshTables.remove() : MeshTables.replace(plan.meshHost()));
                meshHost = plan.meshHost();
            } catch (RuntimeException e) {
                LOG.warn("cannot set the published ports of this node: {}", e.getMessage());
            }
        }
        if (!plan.meshSandbox().equals(meshSandbox) && plan.ingressId() != null) {
            try {
                String sb = Naming.sandbox(prefix, plan.ingressId());
                nft.apply(sb, plan.meshSandbox().isEmpty() ? MeshTables.remove() : MeshTables.replace(plan.meshSandbox()));
                meshSandbox = plan.meshSandbox();
            } catch (RuntimeException e) {
                LOG.warn("cannot set the routing mesh in the ingress sandbox: {}", e.getMessage());
            }
        } else if (plan.ingressId() == null) {
            meshSandbox = "";
        }
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing a resolver failed: {}", e.toString());
        }
    }
}
