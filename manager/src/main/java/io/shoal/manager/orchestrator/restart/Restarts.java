package io.shoal.manager.orchestrator.restart;

import io.shoal.api.RestartPolicy;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.manager.orchestrator.Tasks;

import java.util.ArrayList;
import java.util.List;

/**
 * A service's restart policy: condition none / on-failure / any, at most {@code max_attempts}
 * restarts of a slot (counted within the window when there is one), each after {@code delay}
 * (default 5 s, as swarm mode). The restarts are the ones recorded on the slot's latest task
 * ({@code Task.restarts_ms}, carried from each task to its replacement), so the count survives
 * leader failovers and the reaping of old tasks.
 */
public final class Restarts {
    /** Swarm mode waits restart_delay (default 5 s) after a task ends before replacing it. */
    public static final long DEFAULT_DELAY_MS = 5_000;
    /** At most this many restarts are carried from task to task. */
    private static final int KEPT = 100;

    private Restarts() {}

    /** What the policy says about a slot whose latest task is {@code last}. */
    public sealed interface Decision {
        /** Replace it now, with this restart history (the new restart included). */
        record Now(List<Long> history) implements Decision {}

        /** Replace it once the restart delay has passed, at {@code atMs}. */
        record Later(long atMs) implements Decision {}

        /** Never: the condition or the attempts allow no more. */
        record Never() implements Decision {}
    }

    /** The decision for a slot whose latest task {@code last} ended (or was lost). */
    public static Decision decide(Service s, Task last, long nowMs) {
        if (!mayRestart(s, last, nowMs)) {
            return new Decision.Never();
        }
        long at = last.getStatus().getTimestampMs() + delayMs(s);
        if (nowMs < at) {
            return new Decision.Later(at);
        }
        List<Long> history = new ArrayList<>(history(s, last, nowMs));
        history.add(nowMs);
        return new Decision.Now(history);
    }

    /** Whether the condition and the attempts allow another task in the slot after {@code last}. */
    public static boolean mayRestart(Service s, Task last, long nowMs) {
        RestartPolicy p = s.getSpec().getTask().getRestart();
        TaskState state = last.getStatus().getState();
        boolean failed = state != TaskState.TASK_STATE_COMPLETE;
        switch (p.getCondition()) {
            case NONE -> {
                if (Tasks.terminal(last)) {
                    return false;
                }
            }
            case ON_FAILURE -> {
                if (!failed) {
                    return false;
                }
            }
            default -> { }
        }
        return p.getMaxAttempts() == 0 || history(s, last, nowMs).size() < p.getMaxAttempts();
    }

    /** The slot's restarts that count now: those within the window (all when there is none), at most the last 100. */
    public static List<Long> history(Service s, Task last, long nowMs) {
        long window = s.getSpec().getTask().getRestart().getWindowMs();
        List<Long> kept = last.getRestartsMsList().stream().filter(t -> window <= 0 || t > nowMs - window).toList();
        return kept.size() <= KEPT ? kept : kept.subList(kept.size() - KEPT, kept.size());
    }

    /** The restart delay of the service's policy. */
    public static long delayMs(Service s) {
        RestartPolicy p = s.getSpec().getTask().getRestart();
        return p.getDelaySet() ? p.getDelayMs() : DEFAULT_DELAY_MS;
    }

    /** The restart delay has passed since {@code latest} ended. */
    public static boolean delayPassed(Service s, Task latest, long nowMs) {
        return nowMs - latest.getStatus().getTimestampMs() >= delayMs(s);
    }
}
