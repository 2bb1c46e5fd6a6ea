package io.shoal.net.plane;

/**
 * An endpoint on another host: programmed as FDB and neighbor entries in the network's sandbox.
 *
 * @param networkId the network
 * @param ip        its overlay address
 * @param mac       its MAC, or null for the one derived from the address
 * @param hostIp    the underlay address of the host that runs it (the VXLAN tunnel's far end)
 */
public record RemoteEndpoint(String networkId, String ip, String mac, String hostIp) {
    public String effectiveMac() {
        return mac == null ? Naming.macFor(ip) : mac;
    }
}
