/**
 * Images: references, registry credentials, the OCI distribution client, the layer store (each
 * layer unpacked once and shared, listed and pruned through the images that use it) and overlayfs
 * roots for containers.
 */
package io.shoal.worker.image;
