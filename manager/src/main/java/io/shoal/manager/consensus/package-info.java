/**
 * The seam between the manager and its Raft implementation: {@link io.shoal.manager.consensus.Consensus}.
 * Control loops and API handlers depend on this, never on Ratis.
 */
package io.shoal.manager.consensus;
