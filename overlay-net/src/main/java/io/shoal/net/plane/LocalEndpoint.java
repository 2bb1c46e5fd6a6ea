package io.shoal.net.plane;

/**
 * A container on this host attached to a network.
 *
 * @param networkId the network
 * @param netns     the container's network namespace: a name under /run/netns, or a path such as
 *                  /proc/1234/ns/net
 * @param ip        its address on the network
 * @param mac       its MAC, or null for the one derived from the address ({@link Naming#macFor})
 * @param ifName    the interface name inside the container, e.g. eth0
 */
public record LocalEndpoint(String networkId, String netns, String ip, String mac, String ifName) {
    public String effectiveMac() {
        return mac == null ? Naming.macFor(ip) : mac;
    }
}
