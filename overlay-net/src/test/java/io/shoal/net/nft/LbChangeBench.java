package io.shoal.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shoal.net.nft.NatTable.Result;
import io.shoal.net.nft.NatTable.Result.Kind;
import io.shoal.net.nft.VipService.Protocol;
import io.shoal.net.plane.TestNetns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Benchmark, not a test (root): how long one load-balancing change takes with {@link VipRuleset} when a
 * namespace already holds S VIP services of E endpoints each (default 1,000 x 10; half of them single
 * port, half all-ports). Applies N single changes in turn (add an endpoint, remove an endpoint, add a
 * service, remove a service), each its own {@code nft -f} transaction, and prints p50/p99/max per kind.
 * Goal: <= 50 ms per change.
 * <pre>
 * flock /tmp/shoal-heavy.lock mvn -B -o -pl overlay-net test -Dshoal.bench=true -Dtest=LbChangeBench \
 *     [-Dshoal.bench.services=1000 -Dshoal.bench.endpoints=10 -Dshoal.bench.changes=400]
 * </pre>
 * Measured (2 shared cores, kernel 6.18, nftables 1.0.6; also in docs/benchmarks.md):
 * first apply of 1,000 x 10 (441 kB of nft text) 200 ms, verify 121 ms; per change over 400 changes
 * p50 21.8 ms, p99 40.4 ms, max 44.5 ms (add endpoint 23.7/40.0, remove endpoint 23.8/43.6, add service
 * 11.4/14.2, remove service 23.2/34.4 ms p50/p99).
 */
@EnabledIfSystemProperty(named = "shoal.bench", matches = "true")
class LbChangeBench {
    @Test
    void singleChangesAgainstALargeTable() {
        TestNetns.assumeRoot();
        int services = Integer.getInteger("shoal.bench.services", 1000);
        int endpoints = Integer.getInteger("shoal.bench.endpoints", 10);
        int changes = Integer.getInteger("shoal.bench.changes", 400);
        try (TestNetns ns = new TestNetns()) {
            String c = ns.add("lb");
            VipRuleset rs = new VipRuleset(new Nft(ns.shell), c);
            Map<Integer, VipService> state = new LinkedHashMap<>();
            for (int i = 0; i < services; i++) {
                state.put(i, service(i, endpoints, 0));
            }
            long t0 = System.nanoTime();
            Result first = rs.apply(state.values());
            double fullMs = (System.nanoTime() - t0) / 1e6;
            assertEquals(Kind.FULL, first.kind());
            t0 = System.nanoTime();
            boolean ok = rs.verify();
            double verifyMs = (System.nanoTime() - t0) / 1e6;
            assertTrue(ok, "the table read back matches");
            System.out.printf("lb: %d services x %d endpoints: first apply (whole table, %d kB of nft text) %.0f ms; verify (list + compare) %.0f ms%n",
                    services, endpoints, first.transaction().length() / 1024, fullMs, verifyMs);

            Random rnd = new Random(42);
            String[] kinds = {"add endpoint", "remove endpoint", "add service", "remove service"};
            List<List<Double>> times = new ArrayList<>();
            for (int k = 0; k < kinds.length; k++) {
                times.add(new ArrayList<>());
            }
            int next = services;
            int extra = 0;
            for (int n = 0; n < changes; n++) {
                int k = n % kinds.length;
                switch (k) {
                    case 0 -> { // one more endpoint for a random service
                        int i = randomKey(state, rnd);
                        state.put(i, service(i, endpoints, 1 + (extra++ % 50)));
                    }
                    case 1 -> { // back to E endpoints (removes one)
                        int i = randomKey(state, rnd);
                        VipService s = state.get(i);
                        List<VipService.Backend> b = new ArrayList<>(s.backends());
                        b.removeFirst();
                        state.put(i, new VipService(s.serviceId(), s.vip(), s.protocol(), s.port(), b));
                    }
                    case 2 -> state.put(next, service(next++, endpoints, 0));
                    default -> state.remove(randomKey(state, rnd));
                }
                long s0 = System.nanoTime();
                Result r = rs.apply(state.values());
                times.get(k).add((System.nanoTime() - s0) / 1e6);
                assertEquals(Kind.INCREMENTAL, r.kind(), r.transaction());
            }
            assertTrue(rs.verify(), "after the changes the table still matches");
            List<Double> all = new ArrayList<>();
            for (int k = 0; k < kinds.length; k++) {
                print(kinds[k], times.get(k));
                all.addAll(times.get(k));
            }
            print("any change", all);
        }
    }

    /** Service i: VIP 10.200.x.y, endpoints 10.201-202.x.y (extra > 0 adds one more endpoint). */
    static VipService service(int i, int endpoints, int extra) {
        List<String> ips = new ArrayList<>();
        for (int e = 0; e < endpoints + (extra > 0 ? 1 : 0); e++) {
            int a = i * 16 + e + (e == endpoints ? extra : 0);
            ips.add("10." + (201 + (a >> 16)) + "." + ((a >> 8) & 255) + "." + (a & 255));
        }
        String vip = "10.200." + (i >> 8) + "." + (i & 255);
        return i % 2 == 0 ? VipService.port("svc" + i, vip, Protocol.TCP, 80, ips, 8080)
                : VipService.allPorts("svc" + i, vip, ips);
    }

    static int randomKey(Map<Integer, VipService> state, Random rnd) {
        List<Integer> keys = new ArrayList<>(state.keySet());
        return keys.get(rnd.nextInt(keys.size()));
    }

    static void print(String what, List<Double> ms) {
        double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("lb: %-16s n=%4d  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", what, a.length,
                pct(a, 0.50), pct(a, 0.99), a[a.length - 1]);
    }

    static double pct(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
