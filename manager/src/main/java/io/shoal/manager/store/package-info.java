/**
 * The cluster store: the in-memory state every manager holds, changed only by committed Raft
 * entries, with consistent views, optimistic versions and a gap-free change stream. Writers use
 * {@link io.shoal.manager.store.StoreWriter} over the {@link io.shoal.manager.store.Proposer} seam.
 */
package io.shoal.manager.store;
