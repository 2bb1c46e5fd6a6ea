/**
 * Overlay networks in the store: the leader's allocator loop gives tasks their addresses and
 * services their VIPs, rebuilding the IPAM state from the stored objects so that a new leader
 * allocates exactly as the old one would; the routing mesh's ingress network; the keys of
 * encrypted networks, made and rotated by the leader ({@link io.shoal.manager.network.KeyRotation}).
 */
package io.shoal.manager.network;
