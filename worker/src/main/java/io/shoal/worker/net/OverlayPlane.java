package io.shoal.worker.net;

import io.shoal.api.Network;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.NetworkPeer;
import io.shoal.api.Task;
import io.shoal.net.plane.DataPlane;
import io.shoal.net.plane.HostPlan;
import io.shoal.net.plane.LocalEndpoint;
import io.shoal.net.plane.OverlayNetwork;
import io.shoal.net.plane.PlaneConfig;
import io.shoal.net.plane.RemoteEndpoint;
import io.shoal.net.sys.ProcessShell;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.NetworkAttacher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    private List<Network> networks = List.of();
    private List<NetworkPeer> peers = List.of();
    private final Map<String, List<LocalEndpoint>> locals = new LinkedHashMap<>();

    public OverlayPlane(Path stateDir) {
        this.stateDir = stateDir;
    }

    /** Called once the node knows who it is: its id (names its sandboxes) and its underlay address. */
    public synchronized void configure(String nodeId, String underlayIp) {
        if (plane == null) {
            String prefix = "shoal-" + nodeId.substring(0, Math.min(8, nodeId.length())) + "-";
            plane = new DataPlane(new PlaneConfig(null, underlayIp, 4789, 1500, prefix), new ProcessShell());
        }
    }

    /** The networks and remote endpoints from the latest assignments message. */
    public synchronized void update(List<Network> networks, List<NetworkPeer> peers) {
        if (networks.equals(this.networks) && peers.equals(this.peers)) {
            return;
        }
        this.networks = List.copyOf(networks);
        this.peers = List.copyOf(peers);
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
        List<LocalEndpoint> eps = new ArrayList<>();
        int i = 0;
        for (NetworkAttachment a : task.getNetworksList()) {
            if (a.getReleasedMs() == 0) {
                eps.add(new LocalEndpoint(a.getNetworkId(), netns, ip(a.getAddress()), null, "eth" + i++));
            }
        }
        // the task's own networks may not have reached us through assignments yet
        for (Network n : task.getNetworksList().stream().map(NetworkAttachment::getNetworkId).distinct()
                .filter(id -> networks.stream().noneMatch(x -> x.getId().equals(id))).map(id -> Network.newBuilder().setId(id).build()).toList()) {
            throw new ExecException("network " + n.getId() + " of the task is not known on this node yet");
        }
        locals.put(task.getId(), eps);
        apply();
    }

    @Override
    public synchronized void detach(Task task) throws ExecException {
        if (locals.remove(task.getId()) != null) {
            apply();
        }
    }

    private void apply() throws ExecException {
        if (plane == null) {
            return;
        }
        List<OverlayNetwork> nets = new ArrayList<>();
        for (Network n : networks) {
            if (n.getIpamCount() > 0) {
                nets.add(new OverlayNetwork(n.getId(), (int) n.getVni(), n.getIpam(0).getSubnet(), n.getIpam(0).getGateway(),
                        n.getSpec().getInternal(), 0));
            }
        }
        List<LocalEndpoint> local = new ArrayList<>();
        locals.values().forEach(local::addAll);
        List<RemoteEndpoint> remotes = peers.stream().map(p -> new RemoteEndpoint(p.getNetworkId(), p.getAddress(), null, p.getHostIp())).toList();
        try {
            List<String> ran = plane.apply(new HostPlan(nets, local, remotes));
            if (!ran.isEmpty()) {
                LOG.debug("overlay: {} commands", ran.size());
            }
            Files.createDirectories(stateDir);
            Files.write(stateDir.resolve("sandboxes"), plane.sandboxes());
        } catch (RuntimeException | IOException e) {
            throw new ExecException("cannot set up the overlay networks: " + e.getMessage(), e);
        }
    }

    private static String ip(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }
}
