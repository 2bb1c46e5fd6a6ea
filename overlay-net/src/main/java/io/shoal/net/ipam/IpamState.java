package io.shoal.net.ipam;

import java.util.List;

/**
 * Everything the IPAM knows, as plain data that maps one to one onto protobuf messages: strings for
 * addresses and prefixes, longs for times (milliseconds of the caller's clock, which the IPAM never
 * reads), lists sorted so that equal states are equal values.
 *
 * @param pools            the address pools subnets are carved from, e.g. ["10.0.0.0/8"]
 * @param subnetSize       the prefix length of carved subnets, e.g. 24
 * @param reuseDelayMillis how long a released address rests before it is handed out again while
 *                         other addresses are free
 * @param networks         the allocated networks, sorted by id
 */
public record IpamState(List<String> pools, int subnetSize, long reuseDelayMillis, List<NetworkState> networks) {
    /** Docker's default: 10.0.0.0/8 cut into /24s. */
    public static final List<String> DEFAULT_POOLS = List.of("10.0.0.0/8");
    public static final int DEFAULT_SUBNET_SIZE = 24;
    /** Long enough for a removed endpoint's FDB/neighbor entries to be withdrawn from every worker. */
    public static final long DEFAULT_REUSE_DELAY_MILLIS = 60_000;

    public IpamState {
        pools = List.copyOf(pools);
        networks = List.copyOf(networks);
    }

    /** An empty state with the default pool, subnet size and reuse delay. */
    public static IpamState initial() {
        return new IpamState(DEFAULT_POOLS, DEFAULT_SUBNET_SIZE, DEFAULT_REUSE_DELAY_MILLIS, List.of());
    }

    /** An empty state with the given configuration (validated when first loaded into an {@link Ipam}). */
    public static IpamState initial(List<String> pools, int subnetSize, long reuseDelayMillis) {
        return new IpamState(pools, subnetSize, reuseDelayMillis, List.of());
    }

    /**
     * One network's allocation.
     *
     * @param id       the network's id
     * @param subnet   "a.b.c.d/n"
     * @param gateway  the gateway address, by default the subnet's first host address
     * @param vni      the VXLAN id
     * @param leases   addresses held by endpoints, sorted by address
     * @param released addresses released less than the reuse delay ago, sorted by address
     */
    public record NetworkState(String id, String subnet, String gateway, int vni, List<Lease> leases,
                               List<Released> released) {
        public NetworkState {
            leases = List.copyOf(leases);
            released = List.copyOf(released);
        }
    }

    /** An address held by an owner (an endpoint: a task's attachment, a service VIP, ...). */
    public record Lease(String address, String owner) {}

    /** An address released at {@code releasedAtMillis}, resting until the reuse delay has passed. */
    public record Released(String address, long releasedAtMillis) {}
}
