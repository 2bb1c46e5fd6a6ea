/**
 * A node: what {@code shoal daemon} runs. Its files and identity ({@link io.shoal.node.NodeFiles},
 * {@link io.shoal.node.NodeState}), the local unix socket (LocalNode and Control), membership
 * changes one at a time ({@link io.shoal.node.NodeDaemon}), and while the node is in a cluster
 * everything it runs there ({@link io.shoal.node.ClusterMember}): the mutual-TLS cluster port, the
 * manager role when it is a manager, and the worker agent always. As swarmkit's {@code node/}.
 */
package io.shoal.node;
