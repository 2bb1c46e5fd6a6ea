package io.shoal.net.plane;

import io.shoal.net.ipam.Ipv4;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The names of everything the plane creates, so that it can be recognised and cleaned up:
 * <ul>
 *   <li>sandbox namespace: {@code <prefix><first 12 chars of the network id>}, prefix {@value #DEFAULT_SANDBOX_PREFIX};
 *   <li>inside it: {@code br0}, {@code vxlan0} and one {@code shv<8 hex>} veth per local endpoint;
 *   <li>in the host namespace, briefly: {@code shx<vni hex>}, the VXLAN device before it moves into the sandbox.
 * </ul>
 */
public final class Naming {
    public static final String DEFAULT_SANDBOX_PREFIX = "shoal-net-";
    public static final String BRIDGE = "br0";
    public static final String VXLAN = "vxlan0";
    public static final String VETH_PREFIX = "shv";
    public static final String VXLAN_TEMP_PREFIX = "shx";

    private Naming() {}

    public static String sandbox(String prefix, String networkId) {
        String id = networkId.replaceAll("[^A-Za-z0-9_.-]", "_");
        return prefix + (id.length() > 12 ? id.substring(0, 12) : id);
    }

    /** The sandbox end of an endpoint's veth: a hash of the container namespace, interface and address. */
    public static String veth(LocalEndpoint e) {
        CRC32 crc = new CRC32();
        crc.update((e.netns() + "|" + e.ifName() + "|" + e.ip()).getBytes(StandardCharsets.UTF_8));
        return VETH_PREFIX + String.format("%08x", crc.getValue());
    }

    public static String vxlanTemp(int vni) {
        return VXLAN_TEMP_PREFIX + Integer.toHexString(vni);
    }

    /** Docker's convention: 02:42 followed by the four bytes of the IPv4 address. */
    public static String macFor(String ip) {
        int a = Ipv4.parse(ip);
        byte[] b = {2, 0x42, (byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        return HexFormat.ofDelimiter(":").formatHex(b);
    }
}
