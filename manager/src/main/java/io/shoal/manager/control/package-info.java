/** The Control API (what the CLI calls), served on the Raft leader. */
package io.shoal.manager.control;
