package io.shoal.worker.agent;

import io.shoal.api.Task;
import io.shoal.api.TaskState;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How long this worker has been cut off from every manager, and which of its tasks must stop for
 * it: a task whose spec sets {@code stop_after_disconnect_ms} (Nomad's
 * {@code stop_after_client_disconnect}) is stopped by the worker itself once no manager has
 * answered it for that long, so that the replacement the managers start elsewhere after the node's
 * down grace never runs beside it. The {@link Agent} tells it whenever a manager answers (a
 * session opened, a heartbeat or a status report answered, an assignments message); the task
 * manager asks it, per task, on an injected clock.
 */
public final class Disconnection {
    /** monotonic nanoseconds, as {@link System#nanoTime} */
    private final LongSupplier clock;
    private final AtomicLong lastHeard;

    /** @param clock monotonic nanoseconds; the silence counts from the construction until a manager first answers */
    public Disconnection(LongSupplier clock) {
        this.clock = clock;
        this.lastHeard = new AtomicLong(clock.getAsLong());
    }

    /** A manager answered this worker now. */
    public void heard() {
        lastHeard.set(clock.getAsLong());
    }

    /** How long no manager has answered (ms). */
    public long silentMs() {
        return TimeUnit.NANOSECONDS.toMillis(clock.getAsLong() - lastHeard.get());
    }

    /**
     * Whether the worker must stop {@code t} now: its spec asks for it, no manager has answered
     * for at least that long, and the task has not finished (a task already past RUNNING has
     * nothing left to stop).
     */
    public boolean stopDue(Task t) {
        long after = t.getSpec().getStopAfterDisconnectMs();
        return after > 0 && t.getStatus().getState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE
                && silentMs() >= after;
    }

    /** The status message of a task stopped for it. */
    static String message(Task t) {
        return "stopped on its worker: no manager reached for "
                + t.getSpec().getStopAfterDisconnectMs() + " ms (stop-tasks-after-disconnect)";
    }
}
