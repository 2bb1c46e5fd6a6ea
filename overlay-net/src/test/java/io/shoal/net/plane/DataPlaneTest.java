package io.shoal.net.plane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shoal.net.plane.SandboxState.Fdb;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two "hosts" (namespaces on an underlay bridge), each with its own plane and containers, and a real
 * VXLAN between them. Runs as root; every namespace is removed after each test.
 */
class DataPlaneTest {
    static final String UA = "192.168.250.1";
    static final String UB = "192.168.250.2";
    static final OverlayNetwork N1 = new OverlayNetwork("net1aaaaaaaaaaaaaa", 4200, "10.77.1.0/24", "10.77.1.1", false, 0);
    static final OverlayNetwork N2 = new OverlayNetwork("net2bbbbbbbbbbbbbb", 4201, "10.77.2.0/24", "10.77.2.1", false, 0);
    static final OverlayNetwork N3 = new OverlayNetwork("net3internal", 4202, "10.77.3.0/24", "10.77.3.1", true, 0);
    static final RemoteEndpoint C2_ON_B = new RemoteEndpoint(N1.id(), "10.77.1.3", null, UB);

    TestNetns ns;
    String hostA;
    String hostB;
    String c1;
    String c2;
    DataPlane planeA;
    DataPlane planeB;

    @BeforeEach
    void setUp() {
        TestNetns.assumeRoot();
        ns = new TestNetns();
        List<String> hosts = ns.underlay(UA, UB);
        hostA = hosts.get(0);
        hostB = hosts.get(1);
        c1 = ns.add("c1");
        c2 = ns.add("c2");
        planeA = new DataPlane(new PlaneConfig(hostA, UA, 4789, 1500, ns.prefix + "a-"), ns.shell);
        planeB = new DataPlane(new PlaneConfig(hostB, UB, 4789, 1500, ns.prefix + "b-"), ns.shell);
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
            assertEquals(List.of(), ns.all(), "namespaces left behind");
        }
    }

    HostPlan planA(List<RemoteEndpoint> remotes) {
        return new HostPlan(List.of(N1), List.of(new LocalEndpoint(N1.id(), c1, "10.77.1.2", null, "eth0")), remotes);
    }

    HostPlan planB() {
        return new HostPlan(List.of(N1), List.of(new LocalEndpoint(N1.id(), c2, "10.77.1.3", null, "eth0")),
                List.of(new RemoteEndpoint(N1.id(), "10.77.1.2", null, UA)));
    }

    @Test
    void containersOnTwoHostsPingAcrossVxlan() {
        planeA.apply(planA(List.of(C2_ON_B)));
        planeB.apply(planB());

        assertTrue(ns.reaches(c1, "10.77.1.3"), "c1 -> c2 across the VXLAN");
        assertTrue(ns.reaches(c2, "10.77.1.2"), "c2 -> c1");

        String link = ns.out(c1, "ip", "-o", "link", "show", "dev", "eth0");
        assertTrue(link.contains("mtu 1450"), link);
        assertTrue(link.contains("02:42:0a:4d:01:02"), link);
        assertTrue(ns.out(c1, "ip", "route", "show", "default").contains("via 10.77.1.1 dev eth0"));

        SandboxState sa = planeA.observe().get(ns.prefix + "a-net1aaaaaaaa");
        assertEquals(Map.of("id", "4200", "local", UA, "dstport", "4789"), sa.links().get("vxlan0").attrs());
        assertEquals(Set.of(new Fdb("00:00:00:00:00:00", UB), new Fdb("02:42:0a:4d:01:03", UB)), sa.fdb());
        assertEquals(Map.of("10.77.1.3", "02:42:0a:4d:01:03"), sa.neighbors());
    }

    @Test
    void removedRemoteEndpointLosesItsEntriesAndReachability() {
        planeA.apply(planA(List.of(C2_ON_B)));
        planeB.apply(planB());
        assertTrue(ns.reaches(c1, "10.77.1.3"));

        List<String> changes = planeA.apply(planA(List.of()));
        assertFalse(changes.isEmpty());
        SandboxState sa = planeA.observe().get(ns.prefix + "a-net1aaaaaaaa");
        assertEquals(Set.of(), sa.fdb());
        assertEquals(Map.of(), sa.neighbors());
        ns.exec(c1, "ip", "neigh", "flush", "all");
        assertTrue(ns.cannotReach(c1, "10.77.1.3"));

        planeA.apply(planA(List.of(C2_ON_B)));
        assertTrue(ns.reaches(c1, "10.77.1.3"), "back when the endpoint is back");
    }

    @Test
    void applyingTwiceChangesNothingAndARestartedPlaneAdoptsTheState() {
        HostPlan plan = planA(List.of(C2_ON_B));
        assertFalse(planeA.apply(plan).isEmpty());
        Map<String, SandboxState> before = planeA.observe();
        String c1Link = ns.out(c1, "ip", "-o", "link", "show", "dev", "eth0");

        assertEquals(List.of(), planeA.apply(plan));
        DataPlane restarted = new DataPlane(new PlaneConfig(hostA, UA, 4789, 1500, ns.prefix + "a-"), ns.shell);
        assertEquals(List.of(), restarted.apply(plan));
        assertEquals(before, planeA.observe());
        assertEquals(c1Link, ns.out(c1, "ip", "-o", "link", "show", "dev", "eth0"), "container interface untouched");
    }

    @Test
    void aContainerOnAnotherNetworkCannotReachTheFirst() {
        String c3 = ns.add("c3");
        HostPlan a = new HostPlan(List.of(N1, N2),
                List.of(new LocalEndpoint(N1.id(), c1, "10.77.1.2", null, "eth0"),
                        new LocalEndpoint(N2.id(), c3, "10.77.2.2", null, "eth0")),
                List.of(C2_ON_B));
        planeA.apply(a);
        planeB.apply(planB());

        assertTrue(ns.reaches(c1, "10.77.1.3"), "network 1 works");
        assertTrue(ns.reaches(c3, "10.77.2.1"), "c3 reaches its own gateway");
        assertTrue(ns.cannotReach(c3, "10.77.1.3"), "c3 reaches no remote container on network 1");
        assertTrue(ns.cannotReach(c3, "10.77.1.2"), "c3 reaches no local container on network 1");
        assertEquals(2, planeA.sandboxes().size());

        // c3 leaves: its network has no local endpoint left, so its sandbox goes
        planeA.apply(planA(List.of(C2_ON_B)));
        assertEquals(Set.of(ns.prefix + "a-net1aaaaaaaa"), planeA.sandboxes());
        assertTrue(ns.out(c3, "ip", "-o", "link", "show").lines().noneMatch(l -> l.contains("eth0")));
    }

    @Test
    void internalNetworkHasNoDefaultRouteAndSecondNetworkGetsSecondInterface() {
        HostPlan a = new HostPlan(List.of(N3, N1),
                List.of(new LocalEndpoint(N3.id(), c1, "10.77.3.2", null, "eth0"),
                        new LocalEndpoint(N1.id(), c1, "10.77.1.2", null, "eth1")),
                List.of());
        planeA.apply(a);
        String routes = ns.out(c1, "ip", "route", "show", "default");
        assertEquals("default via 10.77.1.1 dev eth1", routes.strip(), "the default route comes from the non-internal network");

        planeA.apply(new HostPlan(List.of(N3), List.of(new LocalEndpoint(N3.id(), c1, "10.77.3.2", null, "eth0")), List.of()));
        assertEquals("", ns.out(c1, "ip", "route", "show", "default").strip(), "internal only: no route out");
        assertTrue(ns.reaches(c1, "10.77.3.1"));
    }

    @Test
    void removeAllLeavesNothingBehind() {
        planeA.apply(planA(List.of(C2_ON_B)));
        assertEquals(1, planeA.sandboxes().size());
        planeA.removeAll();
        assertEquals(Set.of(), planeA.sandboxes());
        assertFalse(ns.out(hostA, "ip", "-o", "link", "show").contains("shx"));
        assertTrue(ns.out(c1, "ip", "-o", "link", "show").lines().noneMatch(l -> l.contains("eth0")));
    }

    @Test
    void aHostWhoseFirewallDropsForwardedTrafficStillCarriesTheUplinks() {
        // as Docker leaves a host: iptables' FORWARD policy DROP
        ns.out(hostA, "iptables", "-w", "5", "-P", "FORWARD", "DROP");
        String c3 = ns.add("c3");
        planeA.apply(new HostPlan(List.of(N1, N2), List.of(
                new LocalEndpoint(N1.id(), c1, "10.77.1.2", null, "eth0"),
                new LocalEndpoint(N2.id(), c3, "10.77.2.2", null, "eth0")), List.of()));
        assertTrue(ns.reaches(c1, UB), "c1 -> host B through the uplink, and the answer back in");
        assertTrue(ns.cannotReach(c3, "10.77.1.2"), "networks stay apart");
        String chain = ns.out(hostA, "iptables", "-w", "5", "-S", "FORWARD");
        assertEquals(2, chain.split(HostRules.FIREWALL_MARK, -1).length - 1, chain);
        planeA.apply(new HostPlan(List.of(N1, N2), List.of(
                new LocalEndpoint(N1.id(), c1, "10.77.1.2", null, "eth0"),
                new LocalEndpoint(N2.id(), c3, "10.77.2.2", null, "eth0")), List.of()));
        assertEquals(chain, ns.out(hostA, "iptables", "-w", "5", "-S", "FORWARD"), "applying again adds nothing");

        planeA.removeAll();
        chain = ns.out(hostA, "iptables", "-w", "5", "-S", "FORWARD");
        assertTrue(!chain.contains(HostRules.FIREWALL_MARK) && chain.contains("-P FORWARD DROP"), "only our rules go: " + chain);
    }

    @Test
    void networksThatAreNotInternalLeaveThroughTheHostAndStayApart() {
        String c3 = ns.add("c3");
        planeA.apply(new HostPlan(List.of(N1, N2, N3), List.of(
                new LocalEndpoint(N1.id(), c1, "10.77.1.2", null, "eth0"),
                new LocalEndpoint(N2.id(), c2, "10.77.2.2", null, "eth0"),
                new LocalEndpoint(N3.id(), c3, "10.77.3.2", null, "eth0")), List.of()));
        // out: through the sandbox's uplink and the host's masquerade to another host on the underlay
        assertTrue(ns.reaches(c1, UB), "c1 -> host B through the uplink");
        assertTrue(ns.reaches(hostA, "10.77.1.2"), "the host reaches its tasks (published ports go this way)");
        // an internal network has no way out
        assertTrue(ns.cannotReach(c3, UB), "internal network: no route out");
        // and the host does not carry one network's traffic into another
        assertTrue(ns.reaches(c2, UB));
        assertTrue(ns.cannotReach(c2, "10.77.1.2"), "network 2 cannot reach network 1 through the host");
        assertTrue(ns.out(hostA, "nft", "list", "table", "ip", Naming.HOST_TABLE).contains("masquerade"));

        // the ingress network: the sandbox exists with no local endpoint and answers for the node's address
        OverlayNetwork ingress = new OverlayNetwork("ingressxxxxxxxx", 4203, "10.77.4.0/24", "10.77.4.1", false, 0, "10.77.4.7");
        planeB.apply(new HostPlan(List.of(ingress), List.of(), List.of()));
        String sb = ns.prefix + "b-ingressxxxxx";
        assertTrue(planeB.sandboxes().contains(sb), planeB.sandboxes().toString());
        String br = ns.out(sb, "ip", "-o", "-4", "addr", "show", "dev", "br0");
        assertTrue(br.indexOf("10.77.4.7/24") < br.indexOf("10.77.4.1/24") && br.contains("10.77.4.1/24"), "node address first: " + br);
        assertTrue(ns.out(sb, "ip", "-o", "link", "show", "dev", "br0").contains(Naming.macFor("10.77.4.7")));

        planeA.removeAll();
        planeB.removeAll();
        assertTrue(!ns.out(hostA, "ip", "-o", "link", "show").contains(Naming.UPLINK_HOST_PREFIX), "uplinks gone");
    }
}
