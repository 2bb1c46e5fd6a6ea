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
 */
public record OverlayNetwork(String id, int vni, String subnet, String gateway, boolean internal, int mtu) {
    public OverlayNetwork {
        Cidr c = Cidr.parse(subnet);
        if (!c.contains(Ipv4.parse(gateway))) {
            throw new IllegalArgumentException("gateway " + gateway + " is outside subnet " + subnet + " of network " + id);
        }
    }

    public int prefix() {
        return Cidr.parse(subnet).prefix();
    }
}
