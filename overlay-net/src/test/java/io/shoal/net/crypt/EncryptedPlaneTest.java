package io.shoal.net.crypt;

import io.shoal.net.plane.DataPlane;
import io.shoal.net.plane.HostPlan;
import io.shoal.net.plane.LocalEndpoint;
import io.shoal.net.plane.Naming;
import io.shoal.net.plane.OverlayNetwork;
import io.shoal.net.plane.PlaneConfig;
import io.shoal.net.plane.RemoteEndpoint;
import io.shoal.net.plane.TestNetns;
import io.shoal.net.sys.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hosts (namespaces on an underlay bridge), each with its data plane and relay, and a container
 * on an encrypted network: they reach each other only through the relays, a plain VXLAN packet for
 * the network's VNI from the underlay is dropped, and taking the network away removes the relay
 * namespace and the table. Runs as root; every namespace is removed after each test.
 */
class EncryptedPlaneTest {
    static final String UA = "192.168.251.1";
    static final String UB = "192.168.251.2";
    static final int VNI = 4300;
    static final OverlayNetwork NET = new OverlayNetwork("encaaaaaaaaaaaaaa", VNI, "10.78.1.0/24", "10.78.1.1", true, 0, null, true);
    static final NetworkKey KEY = PacketCipherTest.key(77, VNI, 9, true);

    TestNetns ns;
    String hostA;
    String hostB;
    String c1;
    String c2;
    DataPlane planeA;
    DataPlane planeB;
    PlaneConfig configA;
    PlaneConfig configB;
    final List<Relay> relays = new ArrayList<>();

    @BeforeEach
    void setUp() {
        TestNetns.assumeRoot();
        ns = new TestNetns();
        List<String> hosts = ns.underlay(UA, UB);
        hostA = hosts.get(0);
        hostB = hosts.get(1);
        c1 = ns.add("c1");
        c2 = ns.add("c2");
        configA = new PlaneConfig(hostA, UA, 4789, 1500, ns.prefix + "a-");
        configB = new PlaneConfig(hostB, UB, 4789, 1500, ns.prefix + "b-");
        planeA = new DataPlane(configA, ns.shell);
        planeB = new DataPlane(configB, ns.shell);
    }

    @AfterEach
    void tearDown() {
        relays.forEach(Relay::close);
        if (ns != null) {
            ns.close();
            assertEquals(List.of(), ns.all(), "namespaces left behind");
        }
    }

    /** Brings up one host: relay namespace, relay, then the plan with the relay's port for the peer. */
    Relay host(DataPlane plane, PlaneConfig config, String container, String ip, String peerHost, String peerIp) throws Exception {
        plane.ensureRelay();
        Relay r = new Relay(Netns::run, config.hostNetns(), Naming.relay(config.sandboxPrefix()), config.underlayIp(),
                config.relayPort(), config.vxlanPort());
        relays.add(r);
        Map<String, Integer> ports = r.update(new KeyRing(List.of(KEY)), Set.of(peerHost));
        plane.apply(new HostPlan(List.of(NET), List.of(new LocalEndpoint(NET.id(), container, ip, null, "eth0")),
                List.of(new RemoteEndpoint(NET.id(), peerIp, null, peerHost)), ports));
        return r;
    }

    @Test
    void containersReachEachOtherOnlyThroughTheRelays() throws Exception {
        Relay a = host(planeA, configA, c1, "10.78.1.2", UB, "10.78.1.3");
        Relay b = host(planeB, configB, c2, "10.78.1.3", UA, "10.78.1.2");

        assertTrue(ns.reaches(c1, "10.78.1.3"), "c1 -> c2 through the relays");
        assertTrue(ns.reaches(c2, "10.78.1.2"), "c2 -> c1");
        assertTrue(a.counters().get("sealed") > 0 && b.counters().get("opened") > 0, a.counters() + " " + b.counters());
        assertTrue(ns.out(c1, "ip", "-o", "link", "show", "dev", "eth0").contains("mtu 1400"));
        String fdb = ns.shell.run("bridge", "-n", Naming.sandbox(configA.sandboxPrefix(), NET.id()), "fdb", "show", "dev", "vxlan0");
        assertTrue(fdb.contains("dst " + Naming.RELAY_ADDRESS + " port "), fdb);
        assertFalse(fdb.contains("dst " + UB), fdb);
    }

    @Test
    void aLargeTcpTransferCrossesTheRelays() throws Exception {
        host(planeA, configA, c1, "10.78.1.2", UB, "10.78.1.3");
        host(planeB, configB, c2, "10.78.1.3", UA, "10.78.1.2");
        assertTrue(ns.reaches(c1, "10.78.1.3"));
        int size = 8 << 20;
        try (java.nio.channels.ServerSocketChannel server = Netns.run(c2, () -> {
            java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open();
            s.bind(new InetSocketAddress("10.78.1.3", 5300));
            return s;
        })) {
            var received = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try (var c = server.accept()) {
                    ByteBuffer b = ByteBuffer.allocate(1 << 16);
                    long n = 0;
                    for (int r; (r = c.read(b.clear())) >= 0; ) {
                        n += r;
                    }
                    return n;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Netns.run(c1, () -> {
                try (var c = java.nio.channels.SocketChannel.open(new InetSocketAddress("10.78.1.3", 5300))) {
                    ByteBuffer b = ByteBuffer.allocate(1 << 20);
                    for (int sent = 0; sent < size; sent += 1 << 20) {
                        b.clear();
                        while (b.hasRemaining()) {
                            c.write(b);
                        }
                    }
                }
                return null;
            });
            assertEquals(size, received.get(60, java.util.concurrent.TimeUnit.SECONDS), "bytes received over TCP");
        }
    }

    /**
     * A rotation across two real relays: the next key reaches both receive-only, host A switches
     * to it before host B does (each opens both), B follows, the old key goes, and traffic crosses
     * at every step; a packet sealed with the retired key is refused as an unknown key.
     */
    @Test
    void trafficCrossesEveryStepOfARotationAndTheRetiredKeyIsRefused() throws Exception {
        Relay a = host(planeA, configA, c1, "10.78.1.2", UB, "10.78.1.3");
        Relay b = host(planeB, configB, c2, "10.78.1.3", UA, "10.78.1.2");
        assertTrue(ns.reaches(c1, "10.78.1.3"));
        NetworkKey k2 = PacketCipherTest.key(78, VNI, 10, true);
        NetworkKey k2rx = PacketCipherTest.key(78, VNI, 10, false);
        NetworkKey k1rx = PacketCipherTest.key(77, VNI, 9, false);
        KeyRing staged = new KeyRing(List.of(KEY, k2rx));
        KeyRing promoted = new KeyRing(List.of(k1rx, k2));
        KeyRing retired = new KeyRing(List.of(k2));
        List<List<KeyRing>> steps = List.of(List.of(staged, staged), List.of(promoted, staged), List.of(promoted, promoted),
                List.of(retired, promoted), List.of(retired, retired));
        for (List<KeyRing> step : steps) {
            a.update(step.get(0), Set.of(UB));
            b.update(step.get(1), Set.of(UA));
            assertTrue(ns.reaches(c1, "10.78.1.3"), "c1 -> c2 with A on " + step.get(0).sealing(VNI) + ", B on " + step.get(1).sealing(VNI));
            assertTrue(ns.reaches(c2, "10.78.1.2"), "c2 -> c1 at the same step");
        }
        assertEquals(0L, b.counters().get("refused_unknown_key"), "no packet met a key its receiver did not hold: " + b.counters());

        ByteBuffer old = ByteBuffer.allocate(2048);
        new PacketCipher(io.shoal.net.ipam.Ipv4.parse(UA), System.currentTimeMillis() + 60_000)
                .seal(KEY, PacketCipherTest.vxlan(VNI, "sealed-with-the-retired-key"), old);
        Netns.run(hostA, () -> {
            try (DatagramChannel c = DatagramChannel.open()) {
                c.send(old, new InetSocketAddress(UB, configB.relayPort()));
            }
            return null;
        });
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (b.counters().get("refused_unknown_key") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1L, b.counters().get("refused_unknown_key"), b.counters().toString());
    }

    @Test
    void plainVxlanForTheNetworkFromTheUnderlayIsDropped() throws Exception {
        host(planeA, configA, c1, "10.78.1.2", UB, "10.78.1.3");
        host(planeB, configB, c2, "10.78.1.3", UA, "10.78.1.2");
        assertTrue(ns.reaches(c1, "10.78.1.3"));
        // host A sends B a well-formed VXLAN packet for the VNI, as an attacker on the underlay could
        ByteBuffer pkt = PacketCipherTest.vxlan(VNI, "injected-frame-xxxxxxxxxxxxxxxxxx");
        Netns.run(hostA, () -> {
            try (DatagramChannel c = DatagramChannel.open()) {
                for (int i = 0; i < 3; i++) {
                    c.send(pkt.duplicate(), new InetSocketAddress(UB, 4789));
                }
            }
            return null;
        });
        String table = ns.out(hostB, "nft", "list", "table", "ip", Naming.CRYPT_TABLE);
        assertTrue(table.matches("(?s).*counter packets [1-9].*drop.*"), table);
    }

    @Test
    void removingTheNetworkRemovesTheRelayNamespaceAndTheTable() throws Exception {
        Relay a = host(planeA, configA, c1, "10.78.1.2", UB, "10.78.1.3");
        String relayNs = Naming.relay(configA.sandboxPrefix());
        assertTrue(ns.all().contains(relayNs));
        a.update(KeyRing.empty(), Set.of());
        planeA.apply(HostPlan.empty());
        assertFalse(ns.all().contains(relayNs), ns.all().toString());
        assertFalse(ns.out(hostA, "nft", "list", "tables").contains(Naming.CRYPT_TABLE));
        assertFalse(ns.out(hostA, "ip", "-o", "link", "show").contains(Naming.RELAY_HOST_LINK));
        a.close();
        relays.remove(a);
        assertFalse(ns.out(hostA, "ss", "-uan").contains(":" + configA.relayPort()), "the relay's underlay socket is closed");
    }
}
