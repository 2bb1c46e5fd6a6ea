/**
 * The cluster's certificate authority: the root CA, node certificates that name node id, role and
 * cluster, join tokens that pin the root CA, and encryption of keys kept in the Raft store.
 */
package io.shoal.manager.ca;
