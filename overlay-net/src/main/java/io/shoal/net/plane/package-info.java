/**
 * The Linux data plane of one host, driven by a desired-state {@link io.shoal.net.plane.HostPlan}: per
 * overlay network with local endpoints, a sandbox network namespace holding bridge {@code br0} and
 * {@code vxlan0}; a veth from each local container into that bridge; static FDB and permanent neighbor
 * entries for every remote endpoint (no multicast, no flood-and-learn, no gossip).
 *
 * <p>{@link io.shoal.net.plane.DataPlane#apply} reads what exists, changes only the difference and
 * removes what is no longer desired; applying the same plan twice changes nothing, so a restarted worker
 * rebuilds its plane without disturbing running containers. Everything it creates carries a recognisable
 * name (see {@link io.shoal.net.plane.Naming}).
 */
package io.shoal.net.plane;
