package io.shoal.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shoal.net.nft.NatTable.Result.Kind;
import io.shoal.net.nft.VipService.Backend;
import io.shoal.net.nft.VipService.Protocol;
import io.shoal.net.plane.TestNetns;
import io.shoal.net.sys.CommandException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Applies VIP rules in namespaces of its own (root): a "container" namespace {@code c} holding the rules,
 * with a bridge to two "task" namespaces {@code t1} (10.99.0.7) and {@code t2} (10.99.0.8); VIPs are in
 * 10.99.1.0/24, routed onto the bridge. Everything is removed after each test.
 */
class NftTest {
    static final String VIP = "10.99.1.5";
    static final String VIP_ALL = "10.99.1.6";
    static final Backend T1 = new Backend("10.99.0.7", 8080);
    static final Backend T2 = new Backend("10.99.0.8", 8080);

    TestNetns ns;
    Nft nft;
    String c;
    String t1;
    String t2;

    @BeforeEach
    void setUp() {
        TestNetns.assumeRoot();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft (apt-get install nftables)");
        ns = new TestNetns();
        nft = new Nft(ns.shell);
        c = ns.add("c");
        t1 = ns.add("t1");
        t2 = ns.add("t2");
        ns.shell.run(List.of("ip", "-n", c, "-batch", "-"), """
                link add name lbr type bridge
                addr add 10.99.0.1/24 dev lbr
                link set lbr up
                route add 10.99.1.0/24 dev lbr
                link add v1 type veth peer name eth0 netns %s
                link set v1 master lbr up
                link add v2 type veth peer name eth0 netns %s
                link set v2 master lbr up
                """.formatted(t1, t2));
        ns.shell.run(List.of("ip", "-n", t1, "-batch", "-"), "addr add 10.99.0.7/24 dev eth0\nlink set eth0 up\n");
        ns.shell.run(List.of("ip", "-n", t2, "-batch", "-"), "addr add 10.99.0.8/24 dev eth0\nlink set eth0 up\n");
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
            assertEquals(List.of(), ns.all(), "namespaces left behind");
        }
    }

    static VipService web(Backend... b) {
        return new VipService("web", VIP, Protocol.TCP, 80, List.of(b));
    }

    @Test
    void firstApplyCreatesTheTableAndLaterChangesAreIncremental() {
        VipRuleset rs = new VipRuleset(nft, c);
        var r = rs.apply(List.of(web(T1)));
        assertEquals(Kind.FULL, r.kind());
        String listed = nft.listTable(c, VipRuleset.TABLE);
        assertTrue(listed.contains("10.99.1.5 . tcp . 80 : goto svc-web-10.99.1.5-tcp-80"), listed);
        assertTrue(listed.contains("dnat to 10.99.0.7:8080"), listed);

        r = rs.apply(List.of(web(T1, T2), VipService.allPorts("api", VIP_ALL, List.of("10.99.0.8"))));
        assertEquals(Kind.INCREMENTAL, r.kind());
        assertFalse(r.transaction().contains("table"), r.transaction());
        listed = nft.listTable(c, VipRuleset.TABLE);
        assertTrue(listed.contains("numgen random mod 2 map { 0 : 10.99.0.7 . 8080, 1 : 10.99.0.8 . 8080 }"), listed);
        assertTrue(listed.contains("10.99.1.6 : goto svc-api-10.99.1.6"), listed);
        assertTrue(rs.verify(), "what was applied is what the kernel holds:\n" + listed);

        // another service takes over the same VIP port: element and chain replaced in one strict transaction
        r = rs.apply(List.of(new VipService("web2", VIP, Protocol.TCP, 80, List.of(T2)),
                VipService.allPorts("api", VIP_ALL, List.of("10.99.0.8"))));
        assertEquals(Kind.INCREMENTAL, r.kind(), r.transaction());
        assertTrue(nft.listTable(c, VipRuleset.TABLE).contains("10.99.1.5 . tcp . 80 : goto svc-web2-10.99.1.5-tcp-80"));
        assertTrue(rs.verify());
        rs.apply(List.of(web(T1, T2), VipService.allPorts("api", VIP_ALL, List.of("10.99.0.8"))));

        assertEquals(Kind.NONE, rs.apply(List.of(VipService.allPorts("api", VIP_ALL, List.of("10.99.0.8")), web(T2, T1))).kind());
        assertEquals(Kind.INCREMENTAL, rs.apply(List.of()).kind());
        listed = nft.listTable(c, VipRuleset.TABLE);
        assertFalse(listed.contains("svc-"), listed);
        assertTrue(listed.contains("vmap @vips"), "the base chains stay");
        assertTrue(rs.verify());

        rs.remove();
        assertThrows(CommandException.class, () -> nft.listTable(c, VipRuleset.TABLE));
        rs.remove(); // no table: no error

        rs.apply(List.of(web(T1)));
        nft.apply(c, "add table ip other\n");
        assertEquals(List.of("ip shoal_vip"), nft.deleteShoalTables(c));
        assertEquals(List.of("ip other"), nft.tables(c));
    }

    @Test
    void aMissingOrAlteredTableIsRebuilt() {
        VipRuleset rs = new VipRuleset(nft, c);
        rs.apply(List.of(web(T1)));
        nft.apply(c, "delete table " + VipRuleset.TABLE + "\n");
        var r = rs.apply(List.of(web(T1, T2)));
        assertEquals(Kind.RECOVERED, r.kind(), "the incremental change failed on the missing table");
        assertTrue(rs.verify());

        // someone removes an element: a change that does not touch it would not notice, verify() does
        nft.apply(c, "delete element " + VipRuleset.TABLE + " vips { 10.99.1.5 . tcp . 80 }\n");
        assertFalse(rs.verify(), "found different and rebuilt");
        assertTrue(rs.verify());
        assertTrue(nft.listTable(c, VipRuleset.TABLE).contains("10.99.1.5 . tcp . 80 : goto"));

        // an element we did not make collides with one we add: the strict transaction fails, the table is rebuilt
        nft.apply(c, "add chain " + VipRuleset.TABLE + " stray\nadd element " + VipRuleset.TABLE
                + " vip_all { 10.99.1.6 : goto stray }\n");
        r = rs.apply(List.of(web(T1, T2), VipService.allPorts("api", VIP_ALL, List.of("10.99.0.8"))));
        assertEquals(Kind.RECOVERED, r.kind());
        assertFalse(nft.listTable(c, VipRuleset.TABLE).contains("stray"));
        assertTrue(rs.verify());
    }

    @Test
    void theWorkersWholeTableIsReplacedOnFirstApply() {
        nft.apply(c, "table ip shoal_vip {\n  chain out {\n    type nat hook output priority -100; policy accept;\n"
                + "    ip daddr 10.99.1.5 dnat to numgen random mod 1 map { 0 : 10.99.0.7 }\n  }\n}\n");
        VipRuleset rs = new VipRuleset(nft, c);
        assertEquals(Kind.FULL, rs.apply(List.of(web(T2))).kind());
        String listed = nft.listTable(c, VipRuleset.TABLE);
        assertFalse(listed.contains("chain out {"), listed);
        assertTrue(rs.verify());
    }

    @Test
    void aBrokenTransactionChangesNothing() {
        new VipRuleset(nft, c).apply(List.of());
        String before = nft.listTable(c, VipRuleset.TABLE);
        CommandException e = assertThrows(CommandException.class,
                () -> nft.apply(c, "add chain ip shoal_vip ok\nadd rule ip shoal_vip nosuchchain accept\n"));
        assertTrue(e.getMessage().contains("nft -f -"), e.getMessage());
        assertEquals(before, nft.listTable(c, VipRuleset.TABLE));
    }

    @Test
    void connectionsToAVipReachEveryEndpointAndFollowChanges() {
        assumeTrue(TestNetns.haveBusybox(), "needs busybox (nc)");
        ns.serve(t1, 8080, "t1");
        ns.serve(t2, 8080, "t2");
        ns.serve(t1, 9090, "t1-9090");
        VipRuleset rs = new VipRuleset(nft, c);
        rs.apply(List.of(web(T1, T2), VipService.allPorts("api", VIP_ALL, List.of("10.99.0.7"))));

        assertEquals(Set.of("t1", "t2"), replies(VIP, 80, 2), "both endpoints answer through the VIP port");
        assertEquals("", ns.fetch(c, VIP, 81), "a port the VIP does not publish");
        assertEquals("t1-9090", ns.fetch(c, VIP_ALL, 9090), "an all-ports VIP keeps the port");
        assertEquals("t1", ns.fetch(c, VIP_ALL, 8080));

        rs.apply(List.of(web(T2), VipService.allPorts("api", VIP_ALL, List.of("10.99.0.8"))));
        assertEquals(Set.of("t2"), replies(VIP, 80, 10), "only the remaining endpoint");
        assertEquals("t2", ns.fetch(c, VIP_ALL, 8080));
        rs.apply(List.of());
        assertEquals("", ns.fetch(c, VIP, 80), "no service, no answer");
    }

    /** The distinct replies of up to 40 connections, stopping once {@code want} distinct ones were seen. */
    Set<String> replies(String ip, int port, int want) {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 40 && seen.size() < want; i++) {
            seen.add(ns.fetch(c, ip, port));
        }
        return seen;
    }
}
