/**
 * The store's changes as docker events ({@code shoal events}): every manager records them from its
 * own store as it applies the Raft log ({@link io.shoal.manager.events.EventLog}), turning each
 * change into docker's event shape ({@link io.shoal.manager.events.ClusterEvents}), and keeps the
 * latest in a bounded history ({@link io.shoal.manager.events.EventHistory}) that streams read
 * from and resume in. An event's position is its Raft index and its place among that entry's
 * changes, the same on every manager, so a stream can resume on any of them.
 */
package io.shoal.manager.events;
