package io.shoal.net.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpamTest {
    private static final long DELAY = 60_000;

    private static Ipam fresh() {
        return Ipam.from(IpamState.initial(List.of("10.0.0.0/8"), 24, DELAY));
    }

    @Test
    void carvesSlash24sFromTheDefaultPoolInOrder() {
        Ipam ipam = Ipam.from(IpamState.initial());
        NetworkAllocation a = ipam.allocateNetwork("a", null, null);
        NetworkAllocation b = ipam.allocateNetwork("b", null, null);
        assertEquals("10.0.0.0/24", a.subnet().toString());
        assertEquals("10.0.0.1", a.gatewayText());
        assertEquals("10.0.1.0/24", b.subnet().toString());
        assertEquals(VniAllocator.MIN, a.vni());
        assertEquals(VniAllocator.MIN + 1, b.vni());
    }

    @Test
    void carvingSkipsSubnetsInUseIncludingLargerUserSubnets() {
        Ipam ipam = fresh();
        ipam.allocateNetwork("user16", "10.0.0.0/16", null);
        ipam.allocateNetwork("user24", "10.1.0.0/24", null);
        assertEquals("10.1.1.0/24", ipam.allocateNetwork("auto", null, null).subnet().toString());
    }

    @Test
    void releasedSubnetAndVniAreReused() {
        Ipam ipam = fresh();
        NetworkAllocation a = ipam.allocateNetwork("a", null, null);
        ipam.allocateNetwork("b", null, null);
        assertTrue(ipam.releaseNetwork("a"));
        NetworkAllocation c = ipam.allocateNetwork("c", null, null);
        assertEquals(a.subnet(), c.subnet());
        assertEquals(a.vni(), c.vni());
    }

    @Test
    void refusesOverlapAndTooSmallWithOneLineNamingTheProblem() {
        Ipam ipam = fresh();
        ipam.allocateNetwork("web", "10.5.0.0/16", null);
        IpamException overlap = assertThrows(IpamException.class, () -> ipam.allocateNetwork("db", "10.5.3.0/24", null));
        assertEquals("subnet 10.5.3.0/24 overlaps subnet 10.5.0.0/16 of network web", overlap.getMessage());
        IpamException small = assertThrows(IpamException.class, () -> ipam.allocateNetwork("db", "10.9.0.0/31", null));
        assertTrue(small.getMessage().startsWith("subnet 10.9.0.0/31 is too small"), small.getMessage());
        IpamException gw = assertThrows(IpamException.class, () -> ipam.allocateNetwork("db", "10.9.0.0/24", "10.9.1.1"));
        assertEquals("gateway 10.9.1.1 is not a host address of subnet 10.9.0.0/24", gw.getMessage());
        assertTrue(ipam.network("db").isEmpty(), "a refused network leaves no trace");
    }

    @Test
    void poolExhaustionIsNamed() {
        Ipam ipam = Ipam.from(IpamState.initial(List.of("172.20.0.0/23"), 24, DELAY));
        ipam.allocateNetwork("a", null, null);
        ipam.allocateNetwork("b", null, null);
        IpamException e = assertThrows(IpamException.class, () -> ipam.allocateNetwork("c", null, null));
        assertEquals("cannot allocate a subnet for network c: address pool(s) [172.20.0.0/23] have no free /24", e.getMessage());
    }

    @Test
    void reallocatingTheSameNetworkIsIdempotent() {
        Ipam ipam = fresh();
        NetworkAllocation a = ipam.allocateNetwork("a", "10.7.0.0/24", "10.7.0.9");
        assertEquals(a, ipam.allocateNetwork("a", null, null));
        assertEquals("10.7.0.9", a.gatewayText());
        assertThrows(IpamException.class, () -> ipam.allocateNetwork("a", "10.8.0.0/24", null));
    }

    @Test
    void addressesSkipNetworkGatewayAndBroadcast() {
        Ipam ipam = fresh();
        ipam.allocateNetwork("n", "192.168.9.0/29", "192.168.9.3");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(ipam.allocateAddress("n", "t" + i, 0));
        }
        assertEquals(List.of("192.168.9.1", "192.168.9.2", "192.168.9.4", "192.168.9.5", "192.168.9.6"), got);
        IpamException e = assertThrows(IpamException.class, () -> ipam.allocateAddress("n", "t5", 0));
        assertEquals("network n (192.168.9.0/29) has no free address: 5 in use; use a larger subnet", e.getMessage());
    }

    @Test
    void sameOwnerGetsTheSameAddress() {
        Ipam ipam = fresh();
        ipam.allocateNetwork("n", null, null);
        String a = ipam.allocateAddress("n", "task1", 0);
        assertEquals(a, ipam.allocateAddress("n", "task1", 5));
        assertEquals(1, ipam.state().networks().get(0).leases().size());
    }

    @Test
    void releaseHappensExactlyOnce() {
        Ipam ipam = Ipam.from(IpamState.initial(List.of("10.0.0.0/8"), 24, 0));
        ipam.allocateNetwork("n", "10.1.0.0/30", null);   // one endpoint address: 10.1.0.2
        String a = ipam.allocateAddress("n", "t1", 0);
        assertTrue(ipam.releaseAddress("n", "t1", 1));
        assertFalse(ipam.releaseAddress("n", "t1", 2), "second release is a no-op");
        assertEquals(a, ipam.allocateAddress("n", "t2", 3));
        assertFalse(ipam.releaseAddress("n", "t1", 4), "a stale release must not free t2's address");
        assertThrows(IpamException.class, () -> ipam.allocateAddress("n", "t3", 5));
    }

    @Test
    void releasedAddressRestsWhileOthersAreFree() {
        Ipam ipam = fresh();
        ipam.allocateNetwork("n", "10.2.0.0/24", null);
        String first = ipam.allocateAddress("n", "t1", 0);
        ipam.releaseAddress("n", "t1", 1_000);
        String second = ipam.allocateAddress("n", "t2", 1_000 + DELAY - 1);
        assertNotEquals(first, second);
        ipam.releaseAddress("n", "t2", 2_000 + DELAY);
        // t1's address has rested long enough: it is the lowest free one again
        assertEquals(first, ipam.allocateAddress("n", "t3", 1_000 + DELAY));
    }

    @Test
    void restingAddressIsReusedOnlyWhenNothingElseIsFreeOldestFirst() {
        Ipam ipam = fresh();
        ipam.allocateNetwork("n", "10.3.0.0/29", null); // hosts .2 .. .6 (gateway .1)
        for (int i = 0; i < 5; i++) {
            ipam.allocateAddress("n", "t" + i, 0);
        }
        ipam.releaseAddress("n", "t3", 100);  // 10.3.0.5
        ipam.releaseAddress("n", "t1", 50);   // 10.3.0.3, released earlier
        assertEquals("10.3.0.3", ipam.allocateAddress("n", "x", 200));
        assertEquals("10.3.0.5", ipam.allocateAddress("n", "y", 200));
    }

    @Test
    void stateRoundTripsAsPlainData() {
        Ipam ipam = fresh();
        ipam.allocateNetwork("b", null, null);
        ipam.allocateNetwork("a", "10.200.0.0/16", null);
        ipam.allocateAddress("a", "t1", 0);
        ipam.allocateAddress("a", "t2", 0);
        ipam.releaseAddress("a", "t1", 10);
        IpamState s = ipam.state();
        assertEquals(List.of("a", "b"), s.networks().stream().map(IpamState.NetworkState::id).toList());
        assertEquals(List.of(new IpamState.Lease("10.200.0.3", "t2")), s.networks().get(0).leases());
        assertEquals(List.of(new IpamState.Released("10.200.0.2", 10)), s.networks().get(0).released());
        assertEquals(s, Ipam.from(s).state());
        // the reloaded copy makes the same decisions as the original
        assertEquals(Ipam.from(s).allocateAddress("a", "t9", 20), ipam.allocateAddress("a", "t9", 20));
    }

    @Test
    void manyAllocationsAppliedToOneStateNeverDoubleAllocate() {
        Random random = new Random(42);
        IpamState state = IpamState.initial(List.of("10.0.0.0/8"), 24, 1_000);
        {
            Ipam ipam = Ipam.from(state);
            ipam.allocateNetwork("n", "10.9.0.0/23", null);
            state = ipam.state();
        }
        Set<String> live = new HashSet<>();
        long now = 0;
        for (int step = 0; step < 3_000; step++) {
            now += random.nextInt(20);
            Ipam ipam = Ipam.from(state);  // each op is its own "transaction" on the stored state
            if (live.isEmpty() || (live.size() < 400 && random.nextInt(3) > 0)) {
                String owner = "t" + step;
                ipam.allocateAddress("n", owner, now);
                live.add(owner);
            } else {
                String owner = live.stream().sorted().skip(random.nextInt(live.size())).findFirst().orElseThrow();
                assertTrue(ipam.releaseAddress("n", owner, now));
                live.remove(owner);
            }
            state = ipam.state();
            IpamState.NetworkState n = state.networks().get(0);
            Set<String> addrs = new HashSet<>();
            Set<String> owners = new HashSet<>();
            for (IpamState.Lease l : n.leases()) {
                assertTrue(addrs.add(l.address()), "address handed out twice: " + l.address());
                assertTrue(owners.add(l.owner()));
                assertNotEquals("10.9.0.1", l.address());
                assertNotEquals("10.9.1.255", l.address());
                assertNotEquals("10.9.0.0", l.address());
            }
            assertEquals(live, owners);
        }
    }

    @Test
    void vniAllocatorSkipsUsedAndValidatesRange() {
        assertEquals(4096, VniAllocator.allocate(List.of()));
        assertEquals(4098, VniAllocator.allocate(List.of(4096, 4097, 5000)));
        assertThrows(IpamException.class, () -> VniAllocator.validate(4095, List.of()));
        assertThrows(IpamException.class, () -> VniAllocator.validate(1 << 24, List.of()));
        IpamException e = assertThrows(IpamException.class, () -> VniAllocator.validate(5000, List.of(5000)));
        assertEquals("VXLAN id 5000 is already used by another network", e.getMessage());
    }

    @Test
    void badConfigurationIsRefused() {
        assertThrows(IpamException.class, () -> Ipam.from(IpamState.initial(List.of("10.0.0.0/16"), 8, 0)));
        assertThrows(IpamException.class, () -> Ipam.from(IpamState.initial(List.of("10.0.0.0/8", "10.1.0.0/16"), 24, 0)));
        assertThrows(IpamException.class, () -> Ipam.from(IpamState.initial(List.of(), 24, 0)));
    }
}
