package io.shoal.net.nft;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeshTablesTest {
    static final MeshTables.PortMap WEB = new MeshTables.PortMap("tcp", 8080, 80, List.of("10.0.0.5", "10.0.0.6"));
    static final MeshTables.PortMap DNS = new MeshTables.PortMap("udp", 5353, 53, List.of("10.0.0.7"));

    @Test
    void theHostHandsIngressPortsToTheSandboxAndHostPortsToTheirTask() {
        String t = MeshTables.host(List.of(WEB), "169.254.64.2", List.of(DNS));
        assertTrue(t.contains("fib daddr type local jump ports"), t);
        assertTrue(t.contains("tcp dport 8080 dnat to 169.254.64.2\n"), t);
        assertTrue(t.contains("udp dport 5353 dnat to 10.0.0.7:53\n"), t);
        assertTrue(t.contains("ip saddr 127.0.0.0/8 ct status dnat masquerade"), "127.0.0.1 reaches published ports: " + t);
    }

    @Test
    void theSandboxSpreadsOverEveryBackendAndMasquerades() {
        String t = MeshTables.sandbox(List.of(WEB, new MeshTables.PortMap("tcp", 9000, 90, List.of())));
        assertTrue(t.contains("iifname \"up0\" tcp dport 8080 dnat ip to numgen random mod 2 map { 0 : 10.0.0.5 . 80, 1 : 10.0.0.6 . 80 }"), t);
        assertFalse(t.contains("9000"), "a port with no running task has no rule");
        assertTrue(t.contains("oifname \"br0\" ct status dnat masquerade"), t);
        assertTrue(MeshTables.replace(t).startsWith("table ip shoal_ingress\ndelete table ip shoal_ingress\n"));
    }

    @Test
    void onlyTcpAndUdp() {
        assertThrows(IllegalArgumentException.class, () -> new MeshTables.PortMap("sctp", 1, 1, List.of()));
    }
}
