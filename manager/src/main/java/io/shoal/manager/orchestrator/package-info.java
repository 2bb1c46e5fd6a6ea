/**
 * The leader's control loops: each a {@link io.shoal.manager.orchestrator.Reconciler} that reads the
 * store and says what to write, run by {@link io.shoal.manager.orchestrator.LoopRunner}.
 */
package io.shoal.manager.orchestrator;
