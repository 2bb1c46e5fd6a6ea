/** Running the kernel's tools (ip, bridge, nft) as child processes, behind a seam that tests can record. */
package io.shoal.net.sys;
