/** {@code shoal daemon}: its flags, handed over to the node module ({@link io.shoal.node.Daemon}), which does the work. */
package io.shoal.cli.daemon;
