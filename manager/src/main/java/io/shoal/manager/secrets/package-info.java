/**
 * Secrets at rest on the managers: their values sealed with the cluster's data key before they
 * reach the Raft log, and opened only for the nodes whose tasks use them.
 */
package io.shoal.manager.secrets;
