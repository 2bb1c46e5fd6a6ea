/**
 * Address management for overlay networks, as pure functions of plain data: subnets carved from the
 * cluster's address pools, a gateway and VNI per network, one address per endpoint, and a reuse delay
 * for released addresses.
 *
 * <p>The manager keeps an {@link io.shoal.net.ipam.IpamState} in its replicated store and applies
 * allocations inside a store transaction: load the state into an {@link io.shoal.net.ipam.Ipam}, call
 * it, write {@link io.shoal.net.ipam.Ipam#state()} back. Nothing here reads a clock, a random source or
 * the network, so every manager that applies the same log entries reaches the same state.
 */
package io.shoal.net.ipam;
