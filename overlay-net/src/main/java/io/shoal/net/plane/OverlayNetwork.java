package io.shoal.net.plane;

import io.shoal.net.ipam.Cidr;
import io.shoal.net.ipam.Ipv4;

/**
 * One overlay network as the data plane needs it.
 *
 * @param id       the network id (its first characters name the sandbox namespace)
 * @param vni      the VXLAN id
 * @param subnet   "a.b.c.d/n"
 * @param gateway  the gateway address, placed on the sandbox bridge
 * @param internal no default route for containers on this network
 * @param mtu      the overlay MTU, or 0 for the underlay MTU minus the 50 bytes of VXLAN encapsulation
 * @param nodeAddress this host's own address on the network (the ingress network: the routing mesh's
 *                 source address towards tasks), or null; a network with one gets its sandbox on
 *                 this host even with no local endpoint
 * @param encrypted its VXLAN packets between hosts go through the relay, sealed ({@code io.shoal.net.crypt})
 */
public record OverlayNetwork(String id, int vni, String subnet, String gateway, boolean internal, int mtu, String nodeAddress,
                             boolean encrypted) {
    public OverlayNetwork(String id, int vni, String subnet, String gateway, boolean internal, int mtu) {
        this(id, vni, subnet, gateway, internal, mtu, null, false);
    }

    public OverlayNetwork(String id, int vni, String subnet, String gateway, boolean internal, int mtu, String nodeAddress) {
        this(id, vni, subnet, gateway, internal, mtu, nodeAddress, false);
    }

    public OverlayNetwork {
        if (nodeAddress != null && !Cidr.parse(subnet).contains(Ipv4.parse(nodeAddress))) {
            throw new IllegalArgumentException("node address " + nodeAddress + " is outside subnet " + subnet + " of network " + id);
        }
        Cidr c = Cidr.parse(subnet);
        if (!c.contains(Ipv4.parse(gateway))) {
            throw new IllegalArgumentException("gateway " + gateway + " is outside subnet " + subnet + " of network " + id);
        }
    }

    public int prefix() {
        return Cidr.parse(subnet).prefix();
    }
}
