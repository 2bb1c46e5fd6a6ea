/** Small file-system helpers. */
package io.shoal.worker.fs;
