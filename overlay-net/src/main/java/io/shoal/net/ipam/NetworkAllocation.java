package io.shoal.net.ipam;

/** What {@link Ipam#allocateNetwork} gave a network: its subnet, gateway and VXLAN id. */
public record NetworkAllocation(String networkId, Cidr subnet, int gateway, int vni) {
    public String gatewayText() {
        return Ipv4.format(gateway);
    }
}
