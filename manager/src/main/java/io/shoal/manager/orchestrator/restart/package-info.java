/**
 * The restart policy as its own concept (swarmkit's orchestrator/restart): whether and when a task
 * that ended is replaced in its slot ({@link io.shoal.manager.orchestrator.restart.Restarts}), and
 * when a task held back until what it replaces has stopped may start
 * ({@link io.shoal.manager.orchestrator.restart.DelayedStart}). Pure decisions over tasks and a
 * clock, used by the replicated, global and job orchestrators.
 */
package io.shoal.manager.orchestrator.restart;
