package io.shoal.net.plane;

import io.shoal.net.crypt.KeyRing;
import io.shoal.net.crypt.NetworkKey;
import io.shoal.net.crypt.Relay;
import io.shoal.net.sys.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Benchmark, not a test (root, iperf3): TCP throughput between two containers over a plain overlay
 * network and over an encrypted one (the userspace relay, {@code io.shoal.net.crypt}), between the
 * same two hosts, in alternating rounds, with the underlay as the reference; prints each round and
 * the medians.
 * <pre>
 * flock /tmp/shoal-heavy.lock mvn -B -o -pl overlay-net test -Dshoal.bench=true -Dtest=EncryptedThroughputBench \
 *     [-Dshoal.bench.seconds=5 -Dshoal.bench.rounds=3]
 * </pre>
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class EncryptedThroughputBench {
    static final String UA = "192.168.253.1";
    static final String UB = "192.168.253.2";
    static final OverlayNetwork PLAIN = new OverlayNetwork("plainnet", 4400, "10.79.1.0/24", "10.79.1.1", true, 0);
    static final OverlayNetwork ENC = new OverlayNetwork("encnet", 4401, "10.79.2.0/24", "10.79.2.1", true, 0, null, true);

    @Test
    void encryptedAgainstPlainOverlay() throws Exception {
        TestNetns.assumeRoot();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/iperf3")), "needs iperf3 (apt-get install iperf3)");
        int seconds = Integer.getInteger("shoal.bench.seconds", 5);
        int rounds = Integer.getInteger("shoal.bench.rounds", 3);
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        KeyRing keys = new KeyRing(List.of(new NetworkKey(5, ENC.vni(), k, true)));
        try (TestNetns ns = new TestNetns()) {
            List<String> hosts = ns.underlay(UA, UB);
            String p1 = ns.add("p1");
            String p2 = ns.add("p2");
            String e1 = ns.add("e1");
            String e2 = ns.add("e2");
            PlaneConfig ca = new PlaneConfig(hosts.get(0), UA, 4789, 1500, ns.prefix + "a-");
            PlaneConfig cb = new PlaneConfig(hosts.get(1), UB, 4789, 1500, ns.prefix + "b-");
            DataPlane a = new DataPlane(ca, ns.shell);
            DataPlane b = new DataPlane(cb, ns.shell);
            a.ensureRelay();
            b.ensureRelay();
            try (Relay ra = new Relay(Netns::run, ca.hostNetns(), Naming.relay(ca.sandboxPrefix()), UA, ca.relayPort(), 4789);
                 Relay rb = new Relay(Netns::run, cb.hostNetns(), Naming.relay(cb.sandboxPrefix()), UB, cb.relayPort(), 4789)) {
                Map<String, Integer> pa = ra.update(keys, Set.of(UB));
                Map<String, Integer> pb = rb.update(keys, Set.of(UA));
                a.apply(new HostPlan(List.of(PLAIN, ENC), List.of(new LocalEndpoint(PLAIN.id(), p1, "10.79.1.2", null, "eth0"),
                        new LocalEndpoint(ENC.id(), e1, "10.79.2.2", null, "eth0")),
                        List.of(new RemoteEndpoint(PLAIN.id(), "10.79.1.3", null, UB), new RemoteEndpoint(ENC.id(), "10.79.2.3", null, UB)), pa));
                b.apply(new HostPlan(List.of(PLAIN, ENC), List.of(new LocalEndpoint(PLAIN.id(), p2, "10.79.1.3", null, "eth0"),
                        new LocalEndpoint(ENC.id(), e2, "10.79.2.3", null, "eth0")),
                        List.of(new RemoteEndpoint(PLAIN.id(), "10.79.1.2", null, UA), new RemoteEndpoint(ENC.id(), "10.79.2.2", null, UA)), pb));
                assertTrue(ns.reaches(p1, "10.79.1.3"), "plain overlay up");
                assertTrue(ns.reaches(e1, "10.79.2.3"), "encrypted overlay up");
                System.out.printf("encrypted: MTU plain %s, encrypted %s; %d rounds of %d s%n",
                        OverlayThroughputBench.mtu(ns, p1, "eth0"), OverlayThroughputBench.mtu(ns, e1, "eth0"), rounds, seconds);
                List<Double> under = new ArrayList<>();
                List<Double> plain = new ArrayList<>();
                List<Double> enc = new ArrayList<>();
                for (int r = 0; r < rounds; r++) {
                    under.add(OverlayThroughputBench.iperf(ns, hosts.get(1), hosts.get(0), UB, seconds));
                    plain.add(OverlayThroughputBench.iperf(ns, p2, p1, "10.79.1.3", seconds));
                    enc.add(OverlayThroughputBench.iperf(ns, e2, e1, "10.79.2.3", seconds));
                    System.out.printf("encrypted: round %d: underlay %.2f Gbit/s, plain overlay %.2f Gbit/s, encrypted %.3f Gbit/s%n",
                            r + 1, under.getLast(), plain.getLast(), enc.getLast());
                }
                System.out.printf("encrypted: median underlay %.2f Gbit/s, plain overlay %.2f Gbit/s, encrypted %.3f Gbit/s; relay %s / %s%n",
                        OverlayThroughputBench.median(under), OverlayThroughputBench.median(plain),
                        OverlayThroughputBench.median(enc), ra.counters(), rb.counters());
            }
        }
    }
}
