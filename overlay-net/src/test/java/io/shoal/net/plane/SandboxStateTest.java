package io.shoal.net.plane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shoal.net.plane.SandboxState.Fdb;
import io.shoal.net.plane.SandboxState.Link;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing of iproute2 6.1 output as captured on this host. */
class SandboxStateTest {
    static final String LINKS = """
            1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64
            2: vxlan0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noop master br0 state UP mode DEFAULT group default qlen 1000\\    link/ether 26:d8:a6:24:91:55 brd ff:ff:ff:ff:ff:ff link-netns x13249-ha promiscuity 1  allmulti 1 minmtu 68 maxmtu 65535 \\    vxlan id 4096 local 192.168.77.1 srcport 0 0 dstport 4789 nolearning proxy ttl auto ageing 300 udpcsum \\    bridge_slave state disabled priority 32 cost 100 hairpin off guard off root_block off port_id 0x8001
            3: br0: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 26:d8:a6:24:91:55 brd ff:ff:ff:ff:ff:ff promiscuity 0 \\    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768
            4: shv0a000002@if2: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether f6:30:b1:22:62:23 brd ff:ff:ff:ff:ff:ff link-netns x13249-c promiscuity 0 \\    veth addrgenmode eui64 numtxqueues 2
            """;

    @Test
    void parsesLinks() {
        Map<String, Link> links = SandboxState.parseLinks(LINKS);
        assertEquals(Set.of("lo", "vxlan0", "br0", "shv0a000002"), links.keySet());
        Link vx = links.get("vxlan0");
        assertEquals("vxlan", vx.kind());
        assertTrue(vx.up());
        assertEquals(1450, vx.mtu());
        assertEquals("br0", vx.master());
        assertEquals(Map.of("id", "4096", "local", "192.168.77.1", "dstport", "4789"), vx.attrs());
        assertEquals("bridge", links.get("br0").kind());
        assertFalse(links.get("br0").up());
        assertEquals("veth", links.get("shv0a000002").kind());
    }

    @Test
    void parsesFdbNeighborsAndAddresses() {
        assertEquals(Set.of(new Fdb("02:42:0a:00:00:03", "192.168.77.2"), new Fdb("00:00:00:00:00:00", "192.168.77.2")),
                SandboxState.parseFdb("""
                        26:d8:a6:24:91:55 master br0 permanent
                        02:42:0a:00:00:03 dst 192.168.77.2 link-netnsid 0 self permanent
                        00:00:00:00:00:00 dst 192.168.77.2 link-netnsid 0 self permanent
                        """));
        assertEquals(Map.of("10.0.0.3", "02:42:0a:00:00:03"),
                SandboxState.parseNeighbors("10.0.0.3 lladdr 02:42:0a:00:00:03 PERMANENT \n"));
        assertEquals(Set.of("10.0.0.1/24"), SandboxState.parseAddrs(
                "3: br0    inet 10.0.0.1/24 scope global br0\\       valid_lft forever preferred_lft forever\n"));
    }

    @Test
    void namesAreRecognisableAndStable() {
        assertEquals("shoal-net-abcdefghijkl", Naming.sandbox(Naming.DEFAULT_SANDBOX_PREFIX, "abcdefghijklmnop"));
        assertEquals("02:42:0a:00:01:fe", Naming.macFor("10.0.1.254"));
        LocalEndpoint e = new LocalEndpoint("n", "/proc/1/ns/net", "10.0.0.2", null, "eth0");
        assertEquals(Naming.veth(e), Naming.veth(new LocalEndpoint("n", "/proc/1/ns/net", "10.0.0.2", null, "eth0")));
        assertTrue(Naming.veth(e).matches("shv[0-9a-f]{8}"));
        assertTrue(Naming.veth(e).length() <= 15, "fits IFNAMSIZ");
        assertEquals("shx1000", Naming.vxlanTemp(4096));
    }
}
