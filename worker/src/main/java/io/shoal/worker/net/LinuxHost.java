package io.shoal.worker.net;

import io.shoal.net.crypt.Relay;
import io.shoal.net.dns.DnsServer;
import io.shoal.net.dns.ServiceRecords;
import io.shoal.net.dns.Upstreams;
import io.shoal.net.sys.Netns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The overlay's {@link OverlayPlane.Host} on this machine: resolvers entered with setns(2), sysctls in /proc. */
final class LinuxHost implements OverlayPlane.Host {
    @Override
    public AutoCloseable startResolver(String sandbox, InetSocketAddress bind, List<InetSocketAddress> upstreams,
                                       ServiceRecords records) throws IOException {
        // the embedded DNS server on the network's gateway address, inside the sandbox
        return Netns.run(sandbox, () -> DnsServer.builder(records).bind(bind).upstreams(upstreams).start());
    }

    /** As kube-proxy does for node ports: the kernel otherwise drops packets with a loopback address that leave through another interface. */
    @Override
    public void routeLocalnet() throws IOException {
        Files.writeString(Path.of("/proc/sys/net/ipv4/conf/all/route_localnet"), "1");
    }

    @Override
    public List<InetSocketAddress> upstreams() throws IOException {
        return Upstreams.host();
    }

    /** The relay's underlay socket in the daemon's own namespace, its peer sockets entered with setns(2). */
    @Override
    public Relay startRelay(String relayNetns, String underlayIp, int port, int vxlanPort) throws IOException {
        return new Relay(Netns::run, null, relayNetns, underlayIp, port, vxlanPort);
    }
}
