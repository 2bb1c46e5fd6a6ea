/**
 * The manager role of a node: {@link io.shoal.manager.Manager} composes the replicated store, the
 * Raft member, the Control API, the dispatcher, the cluster CA and the leader's control loops;
 * {@link io.shoal.manager.ClusterSettings} holds every cluster default in one place.
 */
package io.shoal.manager;
