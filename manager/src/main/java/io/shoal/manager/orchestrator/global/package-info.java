/** The orchestrator of global services and global jobs: one task per node whose platform and constraints match. */
package io.shoal.manager.orchestrator.global;
