package io.shoal.net.plane;

/**
 * How this host's plane is built.
 *
 * @param hostNetns     the namespace that holds the underlay (where VXLAN sockets live): null for the
 *                      process's own, or a name under /run/netns (the lab and tests)
 * @param underlayIp    this host's underlay address, the VXLAN source
 * @param vxlanPort     the VXLAN UDP port, 4789 by default
 * @param underlayMtu   the underlay MTU; overlay MTU = this - 50
 * @param sandboxPrefix the prefix of sandbox namespace names; one per host where hosts share /run/netns
 */
public record PlaneConfig(String hostNetns, String underlayIp, int vxlanPort, int underlayMtu, String sandboxPrefix) {
    public static final int DEFAULT_VXLAN_PORT = 4789;
    public static final int VXLAN_OVERHEAD = 50;
    /**
     * What an encrypted network's packets carry more: the relay's header and tag (41 bytes,
     * {@code PacketCipher.OVERHEAD}), rounded up so an encrypted network's MTU is 1400 on a 1500 underlay
     */
    public static final int ENCRYPTION_OVERHEAD = 50;

    public static PlaneConfig defaults(String underlayIp) {
        return new PlaneConfig(null, underlayIp, DEFAULT_VXLAN_PORT, 1500, Naming.DEFAULT_SANDBOX_PREFIX);
    }

    /** The relay's UDP port on the underlay (encrypted networks): the VXLAN port + 1, on every host. */
    public int relayPort() {
        return vxlanPort + 1;
    }

    public int mtuFor(OverlayNetwork n) {
        int max = underlayMtu - VXLAN_OVERHEAD - (n.encrypted() ? ENCRYPTION_OVERHEAD : 0);
        return n.mtu() > 0 ? Math.min(n.mtu(), max) : max;
    }
}
