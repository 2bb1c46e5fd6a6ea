/**
 * The worker's side of overlay networking: {@link io.shoal.worker.net.OverlayPlan} turns what the
 * managers sent and the containers attached here into the node's desired overlay (pure), and
 * {@link io.shoal.worker.net.OverlayPlane} applies it through overlay-net's data plane, resolvers,
 * VIP rules and routing-mesh tables.
 */
package io.shoal.worker.net;
