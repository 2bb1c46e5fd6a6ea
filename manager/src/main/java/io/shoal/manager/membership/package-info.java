/** Admission of nodes (join tokens, certificates) and changes to the set of managers. */
package io.shoal.manager.membership;
