/**
 * The seam between the worker agent and container runtimes: an {@link io.shoal.worker.exec.Executor}
 * makes a {@link io.shoal.worker.exec.Controller} per task, and {@link io.shoal.worker.exec.TaskStep}
 * moves a task one state per call.
 */
package io.shoal.worker.exec;
