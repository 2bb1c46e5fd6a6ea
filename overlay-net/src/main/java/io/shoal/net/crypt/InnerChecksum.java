package io.shoal.net.crypt;

import java.nio.ByteBuffer;

/**
 * Completes the TCP or UDP checksum of the IPv4 packet inside a VXLAN packet. A container's veth
 * leaves that checksum to the hardware (checksum offload), and the VXLAN device keeps it so across
 * the relay's local link; a socket then reads the packet with only the pseudo-header's partial
 * sum in place, which the far end would drop. The relay, standing in for the hardware, fills it
 * in before sealing (a complete checksum is recomputed to the same value).
 */
final class InnerChecksum {
    private static final int VXLAN = 8;
    private static final int ETHER = 14;

    private InnerChecksum() {}

    /** Fixes the checksum in {@code vxlan} (position to limit) in place, if it carries IPv4 TCP or UDP, unfragmented. */
    static void fix(ByteBuffer vxlan) {
        int p = vxlan.position();
        int end = vxlan.limit();
        int eth = p + VXLAN;
        if (end - eth < ETHER + 20) {
            return;
        }
        int type = vxlan.getShort(eth + 12) & 0xffff;
        int ip = eth + ETHER;
        if (type == 0x8100) { // one VLAN tag
            type = vxlan.getShort(eth + 16) & 0xffff;
            ip += 4;
        }
        if (type != 0x0800 || end - ip < 20 || (vxlan.get(ip) & 0xf0) != 0x40) {
            return;
        }
        int ihl = (vxlan.get(ip) & 0x0f) * 4;
        int total = vxlan.getShort(ip + 2) & 0xffff;
        int frag = vxlan.getShort(ip + 6) & 0x3fff; // more-fragments flag and offset
        int proto = vxlan.get(ip + 9) & 0xff;
        int l4 = ip + ihl;
        int l4len = total - ihl;
        if (frag != 0 || ihl < 20 || ip + total > end || l4len < 8) {
            return;
        }
        int at;
        if (proto == 6 && l4len >= 20) {
            at = l4 + 16;
        } else if (proto == 17) {
            at = l4 + 6;
            if (vxlan.getShort(at) == 0) {
                return; // no checksum: allowed for UDP over IPv4
            }
        } else {
            return;
        }
        vxlan.putShort(at, (short) 0);
        long sum = 0;
        for (int i = 12; i < 20; i += 2) { // source and destination addresses
            sum += vxlan.getShort(ip + i) & 0xffff;
        }
        sum += proto + l4len;
        int i = l4;
        for (; i + 1 < l4 + l4len; i += 2) {
            sum += vxlan.getShort(i) & 0xffff;
        }
        if (i < l4 + l4len) {
            sum += (vxlan.get(i) & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        int c = (int) (~sum & 0xffff);
        if (proto == 17 && c == 0) {
            c = 0xffff;
        }
        vxlan.putShort(at, (short) c);
    }
}
