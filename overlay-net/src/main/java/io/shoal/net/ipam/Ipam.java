package io.shoal.net.ipam;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A working copy of an {@link IpamState} with the allocation operations. Deterministic: the result of
 * each call depends only on the state and the arguments (time is an argument), so the manager can run it
 * inside a store transaction on every replica:
 *
 * <pre>{@code
 * Ipam ipam = Ipam.from(store.ipamState());
 * String ip = ipam.allocateAddress(networkId, taskId, now);   // may throw IpamException
 * store.putIpamState(ipam.state());
 * }</pre>
 *
 * Contract:
 * <ul>
 *   <li>Subnets never overlap; carved ones come from the pools in order, lowest free block first.
 *   <li>The gateway is the subnet's first host address unless one is given; endpoints never get the
 *       network, broadcast or gateway address.
 *   <li>An owner holds at most one address per network: allocating again for the same owner returns the
 *       same address, so replaying an allocation never takes a second one.
 *   <li>Releasing frees an address exactly once: releasing for an owner that holds nothing changes
 *       nothing and returns false.
 *   <li>An address released at time T is not handed out before T + reuse delay while any other address
 *       is free; when none is, the longest-resting one is reused.
 * </ul>
 * Not thread-safe; one instance per transaction.
 */
public final class Ipam {
    private static final Comparator<Integer> UNSIGNED = Integer::compareUnsigned;

    private final List<Cidr> pools;
    private final int subnetSize;
    private final long reuseDelayMillis;
    private final TreeMap<String, Net> networks = new TreeMap<>();

    private Ipam(List<Cidr> pools, int subnetSize, long reuseDelayMillis) {
        this.pools = pools;
        this.subnetSize = subnetSize;
        this.reuseDelayMillis = reuseDelayMillis;
    }

    /** Loads and validates a state. */
    public static Ipam from(IpamState state) {
        if (state.pools().isEmpty()) {
            throw new IpamException("no default address pool configured");
        }
        List<Cidr> pools = new ArrayList<>();
        for (String p : state.pools()) {
            Cidr pool = Cidr.parse(p);
            if (state.subnetSize() < pool.prefix() || state.subnetSize() > 30) {
                throw new IpamException("subnet size /" + state.subnetSize() + " does not fit pool " + pool
                        + " (allowed /" + pool.prefix() + "../30)");
            }
            for (Cidr other : pools) {
                if (other.overlaps(pool)) {
                    throw new IpamException("address pool " + pool + " overlaps pool " + other);
                }
            }
            pools.add(pool);
        }
        if (state.reuseDelayMillis() < 0) {
            throw new IpamException("address reuse delay must not be negative");
        }
        Ipam ipam = new Ipam(pools, state.subnetSize(), state.reuseDelayMillis());
        for (IpamState.NetworkState n : state.networks()) {
            Net net = new Net(n.id(), Cidr.parse(n.subnet()), Ipv4.parse(n.gateway()), n.vni());
            for (IpamState.Lease l : n.leases()) {
                net.lease(Ipv4.parse(l.address()), l.owner());
            }
            for (IpamState.Released r : n.released()) {
                net.released.put(Ipv4.parse(r.address()), r.releasedAtMillis());
            }
            ipam.networks.put(n.id(), net);
        }
        return ipam;
    }

    /** The current state as plain data, sorted (networks by id, addresses in numeric order). */
    public IpamState state() {
        List<IpamState.NetworkState> out = new ArrayList<>();
        for (Net n : networks.values()) {
            List<IpamState.Lease> leases = new ArrayList<>();
            n.leases.forEach((a, o) -> leases.add(new IpamState.Lease(Ipv4.format(a), o)));
            List<IpamState.Released> released = new ArrayList<>();
            n.released.forEach((a, t) -> released.add(new IpamState.Released(Ipv4.format(a), t)));
            out.add(new IpamState.NetworkState(n.id, n.subnet.toString(), Ipv4.format(n.gateway), n.vni, leases,
                    released));
        }
        return new IpamState(pools.stream().map(Cidr::toString).toList(), subnetSize, reuseDelayMillis, out);
    }

    /**
     * Allocates a network: the given subnet (or the lowest free block of the pools), the given gateway
     * (or the subnet's first host) and the lowest free VNI. Allocating an id that exists returns its
     * allocation when the request agrees with it.
     *
     * @param subnet  "a.b.c.d/n", or null to carve one from the pools
     * @param gateway "a.b.c.d" inside the subnet, or null for the first host address
     */
    public NetworkAllocation allocateNetwork(String networkId, String subnet, String gateway) {
        Net existing = networks.get(networkId);
        if (existing != null) {
            if ((subnet == null || Cidr.parse(subnet).equals(existing.subnet))
                    && (gateway == null || Ipv4.parse(gateway) == existing.gateway)) {
                return existing.allocation();
            }
            throw new IpamException("network " + networkId + " is already allocated with subnet " + existing.subnet
                    + " gateway " + Ipv4.format(existing.gateway));
        }
        Cidr cidr = subnet == null ? carve(networkId) : checkRequested(Cidr.parse(subnet));
        int gw = cidr.firstHost();
        if (gateway != null) {
            gw = Ipv4.parse(gateway);
            if (!cidr.contains(gw) || gw == cidr.base() || gw == cidr.last()) {
                throw new IpamException("gateway " + gateway + " is not a host address of subnet " + cidr);
            }
        }
        Set<Integer> used = new HashSet<>();
        networks.values().forEach(n -> used.add(n.vni));
        Net net = new Net(networkId, cidr, gw, VniAllocator.allocate(used));
        networks.put(networkId, net);
        return net.allocation();
    }

    /** Frees a network's subnet and VNI; refuses while endpoints still hold addresses in it. */
    public boolean releaseNetwork(String networkId) {
        Net n = networks.get(networkId);
        if (n == null) {
            return false;
        }
        if (!n.leases.isEmpty()) {
            throw new IpamException("network " + networkId + " still has " + n.leases.size()
                    + " endpoint address(es) allocated; release them first");
        }
        networks.remove(networkId);
        return true;
    }

    public Optional<NetworkAllocation> network(String networkId) {
        return Optional.ofNullable(networks.get(networkId)).map(Net::allocation);
    }

    /**
     * Gives {@code owner} an address in the network: its current one if it has one, else the lowest free
     * address that is not resting, else the address that has rested longest.
     *
     * @param nowMillis the caller's time (the log entry's timestamp), used for the reuse delay only
     */
    public String allocateAddress(String networkId, String owner, long nowMillis) {
        Net n = require(networkId);
        Integer held = n.byOwner.get(owner);
        if (held != null) {
            return Ipv4.format(held);
        }
        n.released.values().removeIf(t -> t + reuseDelayMillis <= nowMillis);
        for (long a = Integer.toUnsignedLong(n.subnet.firstHost()); a <= Integer.toUnsignedLong(n.subnet.lastHost()); a++) {
            int addr = (int) a;
            if (addr != n.gateway && !n.leases.containsKey(addr) && !n.released.containsKey(addr)) {
                n.lease(addr, owner);
                return Ipv4.format(addr);
            }
        }
        Map.Entry<Integer, Long> oldest = null;
        for (Map.Entry<Integer, Long> e : n.released.entrySet()) {
            if (oldest == null || e.getValue() < oldest.getValue()) {
                oldest = e;
            }
        }
        if (oldest == null) {
            throw new IpamException("network " + networkId + " (" + n.subnet + ") has no free address: "
                    + n.leases.size() + " in use; use a larger subnet");
        }
        int addr = oldest.getKey();
        n.released.remove(addr);
        n.lease(addr, owner);
        return Ipv4.format(addr);
    }

    /**
     * Releases the owner's address at {@code nowMillis}; it then rests for the reuse delay. Returns false,
     * changing nothing, when the owner holds no address in the network (already released).
     */
    public boolean releaseAddress(String networkId, String owner, long nowMillis) {
        Net n = networks.get(networkId);
        if (n == null) {
            return false;
        }
        Integer addr = n.byOwner.remove(owner);
        if (addr == null) {
            return false;
        }
        n.leases.remove(addr);
        if (reuseDelayMillis > 0) {
            n.released.put(addr, nowMillis);
        }
        return true;
    }

    public Optional<String> addressOf(String networkId, String owner) {
        Net n = networks.get(networkId);
        return n == null ? Optional.empty() : Optional.ofNullable(n.byOwner.get(owner)).map(Ipv4::format);
    }

    private Net require(String networkId) {
        Net n = networks.get(networkId);
        if (n == null) {
            throw new IpamException("network " + networkId + " has no address allocation");
        }
        return n;
    }

    private Cidr checkRequested(Cidr cidr) {
        if (cidr.prefix() > 30) {
            throw new IpamException("subnet " + cidr + " is too small: a network needs at least a /30 (a gateway and one endpoint)");
        }
        for (Net n : networks.values()) {
            if (n.subnet.overlaps(cidr)) {
                throw new IpamException("subnet " + cidr + " overlaps subnet " + n.subnet + " of network " + n.id);
            }
        }
        return cidr;
    }

    private Cidr carve(String networkId) {
        for (Cidr pool : pools) {
            long step = 1L << (32 - subnetSize);
            long end = Integer.toUnsignedLong(pool.last());
            long candidate = Integer.toUnsignedLong(pool.base());
            next:
            while (candidate <= end) {
                Cidr c = new Cidr((int) candidate, subnetSize);
                for (Net n : networks.values()) {
                    if (n.subnet.overlaps(c)) {
                        // jump past the overlapping subnet, to the next block boundary
                        long past = Integer.toUnsignedLong(n.subnet.last()) + 1;
                        candidate = Math.max(candidate + step, (past + step - 1) / step * step);
                        continue next;
                    }
                }
                return c;
            }
        }
        throw new IpamException("cannot allocate a subnet for network " + networkId + ": address pool(s) "
                + pools.stream().map(Cidr::toString).toList() + " have no free /" + subnetSize);
    }

    private static final class Net {
        final String id;
        final Cidr subnet;
        final int gateway;
        final int vni;
        final TreeMap<Integer, String> leases = new TreeMap<>(UNSIGNED);
        final Map<String, Integer> byOwner = new HashMap<>();
        final TreeMap<Integer, Long> released = new TreeMap<>(UNSIGNED);

        Net(String id, Cidr subnet, int gateway, int vni) {
            this.id = id;
            this.subnet = subnet;
            this.gateway = gateway;
            this.vni = vni;
        }

        void lease(int addr, String owner) {
            if (!subnet.contains(addr) || addr == subnet.base() || addr == subnet.last() || addr == gateway) {
                throw new IpamException("address " + Ipv4.format(addr) + " cannot be leased in network " + id);
            }
            String prev = leases.putIfAbsent(addr, owner);
            if (prev != null && !prev.equals(owner)) {
                throw new IpamException("address " + Ipv4.format(addr) + " in network " + id + " is held by both "
                        + prev + " and " + owner);
            }
            byOwner.put(owner, addr);
        }

        NetworkAllocation allocation() {
            return new NetworkAllocation(id, subnet, gateway, vni);
        }
    }
}
