/** The client commands of {@code shoal}. */
package io.shoal.cli.commands;
