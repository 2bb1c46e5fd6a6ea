package io.shoal.worker.exec;

import io.shoal.api.HealthConfig;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs one task's container. The agent drives it through {@link TaskStep}, one state per call:
 * prepare (bundle, network namespace), start, then wait for the exit; shutdown stops it with its
 * stop signal and, after the grace period, SIGKILL; remove forgets everything it made.
 * Implementations must be idempotent: a restarted worker calls them again on what it finds.
 */
public interface Controller {
    /** Creates everything the container needs, without starting it. */
    void prepare() throws ExecException;

    /**
     * Starts the container's process: creates the container and starts it, or, when it exists and
     * {@link #awaitingStart()}, starts the one there.
     */
    void start() throws ExecException;

    /**
     * Whether the container exists, has not exited and was never started: the worker that created
     * it stopped before it started it (a restart or a crash between the runtime's create and its
     * start). Its process waits to be started; {@link #start()} starts it. False for a container
     * that was started (running or exited) and where there is none.
     */
    default boolean awaitingStart() {
        return false;
    }

    /** The exit, if the container has exited; empty while it runs (or before it started). */
    Optional<ExitStatus> exitStatus() throws ExecException;

    /** Blocks until the container exits or {@code timeout} passes. */
    Optional<ExitStatus> waitExit(Duration timeout) throws ExecException, InterruptedException;

    /**
     * Asks to have {@code wake} called whenever the container may have exited, so that a caller
     * waiting for other things as well (a new assignment) need not poll {@link #waitExit}; it
     * checks {@link #exitStatus()} when woken, and now and then anyway. Called at most once per
     * controller; the registration ends with {@link #remove()}.
     *
     * @return false when this controller cannot tell (the caller polls)
     */
    default boolean notifyExit(Runnable wake) {
        return false;
    }

    /** Stops the container: the stop signal, then SIGKILL once {@code grace} has passed. */
    ExitStatus shutdown(String signal, Duration grace) throws ExecException, InterruptedException;

    /** Removes the container, its bundle and its namespaces. Safe to call more than once. */
    void remove() throws ExecException;

    /**
     * The task has finished and its container will not run again: frees what only a running
     * container needs (the memory-backed files of its secrets and configs), as Docker does when a
     * container stops. The container itself stays until {@link #remove()}. Safe to call more than once.
     */
    default void afterExit() throws ExecException {
    }

    /** Whether a container for this task exists on the host (for adopting after a restart). */
    boolean exists();

    /**
     * Runs a health probe inside the running container, killed after {@code timeout}.
     *
     * @return its exit code (-1 when it timed out or could not run) and the end of its output
     */
    default Health.Probe probe(List<String> command, Duration timeout) throws ExecException {
        throw new ExecException("this executor cannot run health checks");
    }

    /** The image's HEALTHCHECK (empty when it has none or the image is not known yet). */
    default HealthConfig imageHealthcheck() {
        return HealthConfig.getDefaultInstance();
    }
}
