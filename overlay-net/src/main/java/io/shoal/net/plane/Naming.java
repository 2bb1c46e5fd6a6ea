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
 *   <li>in the host namespace, briefly: {@code shx<vni hex>}, the VXLAN device before it moves into the sandbox;
 *   <li>the uplink of a sandbox whose network is not internal: a veth pair, {@code shu<vni hex>} in the host
 *       namespace and {@code up0} in the sandbox, on the link-local /30 {@link #uplink} gives;
 *   <li>nftables table {@value #HOST_TABLE} in the host namespace (uplink isolation and masquerade).
 *   <li>with an encrypted network: the relay namespace {@code <prefix>relay}, joined to the host
 *       namespace by a veth pair, {@value #RELAY_HOST_LINK} ({@value #RELAY_HOST_ADDRESS}/30) and
 *       {@value #RELAY_LINK} ({@value #RELAY_ADDRESS}/30, inside); nftables table {@value #CRYPT_TABLE}
 *       in the host namespace (plain VXLAN of encrypted VNIs from outside is dropped).
 * </ul>
 */
public final class Naming {
    public static final String DEFAULT_SANDBOX_PREFIX = "shoal-net-";
    public static final String BRIDGE = "br0";
    public static final String VXLAN = "vxlan0";
    public static final String VETH_PREFIX = "shv";
    public static final String VXLAN_TEMP_PREFIX = "shx";
    public static final String UPLINK = "up0";
    public static final String UPLINK_HOST_PREFIX = "shu";
    public static final String HOST_TABLE = "shoal_host";
    public static final String RELAY_SUFFIX = "relay";
    public static final String RELAY_HOST_LINK = "shc0";
    public static final String RELAY_LINK = "rl0";
    /** in RFC 2544's benchmarking range, which no underlay uses; not link-local, which the uplinks fill */
    public static final String RELAY_HOST_ADDRESS = "198.18.0.1";
    public static final String RELAY_ADDRESS = "198.18.0.2";
    public static final String CRYPT_TABLE = "shoal_crypt";

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

    /** The relay namespace of a host whose sandboxes carry {@code prefix} (a network id never names it: ids are 25 characters). */
    public static String relay(String prefix) {
        return prefix + RELAY_SUFFIX;
    }

    public static String vxlanTemp(int vni) {
        return VXLAN_TEMP_PREFIX + Integer.toHexString(vni);
    }

    public static String uplinkHost(int vni) {
        return UPLINK_HOST_PREFIX + Integer.toHexString(vni);
    }

    /**
     * The uplink's addresses for a network: {host side, sandbox side}, both in one /30 of
     * 169.254.0.0/16 chosen by the VNI (16,384 of them; VNIs are handed out from 4096 upwards).
     */
    public static String[] uplink(int vni) {
        int base = Ipv4.parse("169.254.0.0") + (vni % 16384) * 4;
        return new String[] {Ipv4.format(base + 1), Ipv4.format(base + 2)};
    }

    /** Docker's convention: 02:42 followed by the four bytes of the IPv4 address. */
    public static String macFor(String ip) {
        int a = Ipv4.parse(ip);
        byte[] b = {2, 0x42, (byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        return HexFormat.ofDelimiter(":").formatHex(b);
    }
}
