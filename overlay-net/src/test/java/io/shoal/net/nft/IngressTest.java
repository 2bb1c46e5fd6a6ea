package io.shoal.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shoal.net.nft.NatTable.Result.Kind;
import io.shoal.net.nft.VipService.Protocol;
import io.shoal.net.plane.DataPlane;
import io.shoal.net.plane.HostPlan;
import io.shoal.net.plane.IngressLink;
import io.shoal.net.plane.LocalEndpoint;
import io.shoal.net.plane.Naming;
import io.shoal.net.plane.OverlayNetwork;
import io.shoal.net.plane.PlaneConfig;
import io.shoal.net.plane.RemoteEndpoint;
import io.shoal.net.plane.TestNetns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routing mesh (root): namespace {@code a} stands in for node A's host namespace, with its ingress
 * sandbox (a {@link DataPlane} sandbox of the ingress network) joined by {@link IngressLink}; two task
 * namespaces on the ingress network on node A, one on node B (namespace {@code b}, joined to {@code a}
 * by an underlay bridge and the VXLAN); a client namespace on a veth to {@code a}. The ingress
 * network is marked internal so the tasks have no default route: their replies reach the client only
 * because the sandbox source-NATs to the node's ingress address. Everything carries the run's prefix
 * and is removed after each test (servers first).
 */
class IngressTest {
    static final OverlayNetwork INGRESS = new OverlayNetwork("ingress", 4096, "10.255.0.0/16", "10.255.0.1", true, 0);
    static final String A_IP = "10.60.0.1";
    static final String UA = "192.168.249.1";
    static final String UB = "192.168.249.2";

    TestNetns ns;
    Nft nft;
    String a;
    String client;
    String t1;
    String t2;
    String t3;
    String sandbox;
    IngressRuleset mesh;

    @BeforeEach
    void setUp() {
        TestNetns.assumeRoot();
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/nft")), "needs nft");
        assumeTrue(TestNetns.haveBusybox(), "needs busybox (nc)");
        ns = new TestNetns();
        nft = new Nft(ns.shell);
        List<String> hosts = ns.underlay(UA, UB); // a (node A's host namespace) and b, on an underlay bridge
        a = hosts.get(0);
        String b = hosts.get(1);
        client = ns.add("cl");
        t1 = ns.add("t1");
        t2 = ns.add("t2");
        t3 = ns.add("t3");
        ns.shell.run(List.of("ip", "-n", a, "-batch", "-"), """
                link add eth1 type veth peer name eth0 netns %s
                addr add 10.60.0.1/24 dev eth1
                link set eth1 up
                """.formatted(client));
        ns.shell.run(List.of("ip", "-n", client, "-batch", "-"), "addr add 10.60.0.2/24 dev eth0\nlink set eth0 up\n");
        // t1, t2 on node A; t3 on node B, which knows node A's ingress address as a remote endpoint
        new DataPlane(new PlaneConfig(a, UA, 4789, 1500, ns.prefix + "a-"), ns.shell).apply(new HostPlan(List.of(INGRESS),
                List.of(new LocalEndpoint(INGRESS.id(), t1, "10.255.0.5", null, "eth0"),
                        new LocalEndpoint(INGRESS.id(), t2, "10.255.0.6", null, "eth0")),
                List.of(new RemoteEndpoint(INGRESS.id(), "10.255.0.7", null, UB))));
        new DataPlane(new PlaneConfig(b, UB, 4789, 1500, ns.prefix + "b-"), ns.shell).apply(new HostPlan(List.of(INGRESS),
                List.of(new LocalEndpoint(INGRESS.id(), t3, "10.255.0.7", null, "eth0")),
                List.of(new RemoteEndpoint(INGRESS.id(), "10.255.0.5", null, UA), new RemoteEndpoint(INGRESS.id(), "10.255.0.6", null, UA),
                        new RemoteEndpoint(INGRESS.id(), "10.255.0.2", null, UA))));
        sandbox = Naming.sandbox(ns.prefix + "a-", INGRESS.id());
        new IngressLink(ns.shell, a, sandbox).ensure("10.255.0.2/16");
        assertEquals(List.of(), new IngressLink(ns.shell, a, sandbox).ensure("10.255.0.2/16"), "ensure is idempotent");
        mesh = new IngressRuleset(nft, a, sandbox, "10.255.0.2");
        ns.serve(t1, 80, "t1");
        ns.serve(t2, 80, "t2");
        ns.serve(t1, 9000, "t1-9000");
        ns.serve(t3, 80, "t3");
    }

    @AfterEach
    void tearDown() {
        if (ns != null) {
            ns.close();
            assertEquals(List.of(), ns.all(), "namespaces left behind");
        }
    }

    @Test
    void aPublishedPortOfTheNodeReachesEveryTaskAndOthersDoNotAnswer() {
        var r = mesh.apply(List.of(IngressPort.of("web", Protocol.TCP, 8080, 80, List.of("10.255.0.5", "10.255.0.6"))));
        assertEquals(List.of(Kind.FULL, Kind.FULL), r.stream().map(NatTable.Result::kind).toList());

        assertEquals(Set.of("t1", "t2"), replies(client, A_IP, 8080, 2), "client -> node:8080 reaches both tasks");
        assertEquals("", ns.fetch(client, A_IP, 8081), "a port not published does not answer");
        assertEquals("", ns.fetch(client, A_IP, 80), "nor does the target port on the node");
        assertTrue(Set.of("t1", "t2").contains(ns.fetch(a, A_IP, 8080)), "the node's own processes reach it too (output)");

        // a second port, then the first one's tasks change: incremental, one transaction per table
        r = mesh.apply(List.of(IngressPort.of("web", Protocol.TCP, 8080, 80, List.of("10.255.0.6")),
                IngressPort.of("api", Protocol.TCP, 9090, 9000, List.of("10.255.0.5"))));
        assertEquals(List.of(Kind.INCREMENTAL, Kind.INCREMENTAL), r.stream().map(NatTable.Result::kind).toList());
        assertEquals("t1-9000", ns.fetch(client, A_IP, 9090));
        assertEquals(Set.of("t2"), replies(client, A_IP, 8080, 10));
        assertTrue(mesh.verify());

        mesh.apply(List.of(IngressPort.of("api", Protocol.TCP, 9090, 9000, List.of("10.255.0.5"))));
        assertEquals("", ns.fetch(client, A_IP, 8080), "unpublished again");
        String host = nft.listTable(a, IngressRules.TABLE);
        assertFalse(host.contains("8080"), host);
        assertEquals("t1-9000", ns.fetch(client, A_IP, 9090));

        mesh.remove();
        assertEquals("", ns.fetch(client, A_IP, 9090));
    }

    @Test
    void aTaskOnAnotherNodeAnswersThroughThisNode() {
        mesh.apply(List.of(IngressPort.of("web", Protocol.TCP, 8080, 80, List.of("10.255.0.7"))));
        assertEquals("t3", ns.fetch(client, A_IP, 8080), "client -> node A:8080 -> sandbox A -> VXLAN -> t3 on node B and back");
        mesh.apply(List.of(IngressPort.of("web", Protocol.TCP, 8080, 80, List.of("10.255.0.5", "10.255.0.6", "10.255.0.7"))));
        assertEquals(Set.of("t1", "t2", "t3"), replies(client, A_IP, 8080, 3));
    }

    Set<String> replies(String from, String ip, int port, int want) {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 40 && seen.size() < want; i++) {
            seen.add(ns.fetch(from, ip, port));
        }
        return seen;
    }
}
