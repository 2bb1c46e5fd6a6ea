/** The module rules of ARCHITECTURE.md, checked on the sources: which module may import which. */
package io.shoal.arch;
