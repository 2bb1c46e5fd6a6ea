/** The {@code shoal} command line and its entry point. */
package io.shoal.cli;
