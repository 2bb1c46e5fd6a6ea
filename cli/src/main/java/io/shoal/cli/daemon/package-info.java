/**
 * {@code shoal daemon}: hosts one node. The local unix socket (LocalNode and Control), and while the
 * node is in a cluster, the mutual-TLS cluster port, the manager role and the worker agent.
 */
package io.shoal.cli.daemon;
