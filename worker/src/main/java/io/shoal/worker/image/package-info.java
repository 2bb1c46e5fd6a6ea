/**
 * Images: references, the OCI distribution client, the layer store (each layer unpacked once and
 * shared) and overlayfs roots for containers.
 */
package io.shoal.worker.image;
