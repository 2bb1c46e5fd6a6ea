/**
 * Pure placement decisions: {@link io.shoal.scheduler.Scheduler#schedule} maps a read-only
 * {@link io.shoal.scheduler.ClusterView} and pending tasks to {@link io.shoal.scheduler.Decisions}.
 * No gRPC, no Ratis, no threads, no clock: tested by feeding views and reading decisions.
 */
package io.shoal.scheduler;
