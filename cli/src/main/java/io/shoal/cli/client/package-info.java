/** How the CLI reaches a daemon. */
package io.shoal.cli.client;
