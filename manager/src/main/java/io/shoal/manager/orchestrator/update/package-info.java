/**
 * Rolling updates and rollbacks as their own concept (swarmkit's orchestrator/update): which slots
 * of a service are replaced now, in which order, how failures are counted and what happens then,
 * and where the update stands ({@code UpdateStatus}). Pure decisions over a service's slots and a
 * clock, kept entirely in the store, so a new leader resumes an update where the old one left it;
 * used by the replicated and global orchestrators. The design is in {@code docs/updates.md}.
 */
package io.shoal.manager.orchestrator.update;
