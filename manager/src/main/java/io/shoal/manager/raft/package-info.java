/**
 * The only package that imports Apache Ratis: the Raft member ({@link io.shoal.manager.raft.RaftNode}) and
 * the state machine that applies log entries to the cluster store and snapshots it.
 */
package io.shoal.manager.raft;
