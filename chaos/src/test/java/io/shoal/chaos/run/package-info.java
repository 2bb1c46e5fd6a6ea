/**
 * The chaos runs: real daemons on namespaced hosts ({@link io.shoal.chaos.run.ChaosLab}, through
 * {@code deploy/lab.sh}), recorded clients through every manager ({@link io.shoal.chaos.run.RegisterClient},
 * {@link io.shoal.chaos.run.SetClient}), a {@link io.shoal.chaos.run.Nemesis} that kills, pauses and
 * partitions managers, and {@link io.shoal.chaos.run.ChaosRun}, which heals everything, waits for
 * convergence and hands the history to the checkers.
 */
package io.shoal.chaos.run;
