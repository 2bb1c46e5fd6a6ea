package io.shoal.cli.commands;

import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.ListTasksResponse;
import io.shoal.api.RestartPolicy;
import io.shoal.api.Service;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
import io.shoal.api.UpdateStatus;

import java.time.Duration;

/**
 * What {@code service create}, {@code scale}, {@code update} and {@code rollback} do after their
 * change unless {@code --detach}: show the progress ({@link ServiceProgress}) until the service
 * converged, and say how it ended. Only tasks of the service's current spec count, so tasks that
 * failed before the change (or belong to an older spec) never fail the command.
 * <ul>
 *   <li>an update (or rollback) under way is waited for until the managers say it ended: completed
 *       (exit 0 once every task of the current spec runs), paused (exit 1 with the reason), or
 *       rolled back (exit 1 with the reason, unless a rollback was what was asked);</li>
 *   <li>otherwise every replica (every node's task, for global services) must run for
 *       {@link #STABLE}, or every completion be done (jobs); tasks of the change that keep failing
 *       (or that the restart policy gave up on) end the wait with their error, exit 1;</li>
 *   <li>a wait that sees no progress for {@link #STALL} ends with exit 1.</li>
 * </ul>
 */
final class ServiceWait {
    /** How long every replica must keep running before a create or scale counts as converged. */
    static final Duration STABLE = Duration.ofSeconds(2);
    /** A wait ends when nothing changed for this long. */
    static final Duration STALL = Duration.ofMinutes(3);
    private static final long POLL_MS = 200;

    private ServiceWait() {}

    /**
     * @param written  the service as the command's change left it (its version marks which task
     *                 failures are the change's)
     * @param rollback the command asked for a rollback: ending rolled back is success
     */
    static int await(ClientCommand cmd, Service written, boolean rollback) throws InterruptedException {
        ServiceProgress progress = new ServiceProgress();
        long lastChange = System.nanoTime();
        long stableSince = -1;
        String lastErr = "";
        String rolledBackBecause = "";
        while (System.nanoTime() - lastChange < STALL.toNanos()) {
            Service s = cmd.control().getService(GetServiceRequest.newBuilder().setService(written.getId()).build());
            ListTasksResponse r = cmd.control().listTasks(ListTasksRequest.newBuilder().setService(written.getId()).build());
            for (String line : progress.update(s, r.getTasksList(), r.getNodeHostnamesMap())) {
                cmd.out().println(line);
                lastChange = System.nanoTime();
            }
            cmd.out().flush();
            UpdateStatus st = s.getUpdateStatus();
            switch (st.getState()) {
                case PAUSED -> {
                    cmd.err().println("Error: service update paused: " + st.getMessage());
                    return 1;
                }
                case ROLLBACK_PAUSED -> {
                    cmd.err().println("Error: service rollback paused: " + st.getMessage());
                    return 1;
                }
                case UPDATING, ROLLBACK_STARTED -> {
                    if (st.getState() == UpdateStatus.State.ROLLBACK_STARTED) {
                        rolledBackBecause = st.getMessage();
                    }
                    stableSince = -1;
                    Thread.sleep(POLL_MS);
                    continue; // the managers watch the update; its end is theirs to say
                }
                default -> { }
            }
            ServiceProgress.State state = ServiceProgress.state(s, r.getTasksList());
            boolean ended = st.getState() == UpdateStatus.State.COMPLETED || st.getState() == UpdateStatus.State.ROLLBACK_COMPLETED;
            if (state.converged() && (state.desired() > 0 || !restarting(s, r))) {
                if (state.job()) {
                    cmd.out().println("verify: job complete");
                    return 0;
                }
                stableSince = stableSince < 0 ? System.nanoTime() : stableSince;
                if (ended || System.nanoTime() - stableSince >= STABLE.toNanos()) {
                    cmd.out().println("verify: service converged");
                    if (st.getState() == UpdateStatus.State.ROLLBACK_COMPLETED && !rollback) {
                        String why = !rolledBackBecause.isEmpty() ? rolledBackBecause
                                : st.getMessage().contains("; ") ? st.getMessage().substring(st.getMessage().indexOf("; ") + 2) : st.getMessage();
                        cmd.err().println("Error: service rolled back: " + why);
                        return 1;
                    }
                    return 0;
                }
            } else {
                stableSince = -1;
                Failures f = failures(s, r, written.getMeta().getVersion());
                if (!f.lastErr().isEmpty()) {
                    lastErr = f.lastErr();
                }
                if (f.gaveUp()) {
                    break;
                }
            }
            Thread.sleep(POLL_MS);
        }
        cmd.err().println("Error: service did not converge: " + (lastErr.isEmpty() ? "no progress for " + STALL.toMinutes() + " minutes" : lastErr));
        return 1;
    }

    private static boolean restarting(Service s, ListTasksResponse r) {
        return r.getTasksList().stream().anyMatch(t -> t.getDesiredState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE
                && t.getStatus().getState().getNumber() < TaskState.TASK_STATE_RUNNING_VALUE);
    }

    record Failures(long count, String lastErr, boolean gaveUp) {}

    /**
     * The failures of the change's tasks: up to date and written after the change (a task that
     * failed before it keeps its older version), and whether they mean the service will not
     * converge (the restart policy gave up, or they keep failing).
     */
    static Failures failures(Service s, ListTasksResponse r, long changedAt) {
        long count = 0;
        String last = "";
        long lastAt = -1;
        boolean restarting = false;
        for (Task t : r.getTasksList()) {
            if (!ServiceProgress.upToDate(s, t)) {
                continue;
            }
            boolean wanted = t.getDesiredState().getNumber() <= TaskState.TASK_STATE_RUNNING_VALUE;
            if (wanted && t.getStatus().getState().getNumber() < TaskState.TASK_STATE_RUNNING_VALUE) {
                restarting = true;
            }
            boolean failed = !t.getStatus().getErr().isEmpty() && (t.getStatus().getState().getNumber() >= TaskState.TASK_STATE_FAILED_VALUE
                    || t.getStatus().getState() == TaskState.TASK_STATE_PENDING);
            if (failed && t.getMeta().getVersion() > changedAt) {
                count++;
                if (t.getMeta().getVersion() > lastAt) {
                    lastAt = t.getMeta().getVersion();
                    last = t.getStatus().getErr();
                }
            }
        }
        long replicas = Math.max(1, ServiceProgress.state(s, r.getTasksList()).desired());
        RestartPolicy policy = s.getSpec().getTask().getRestart();
        long allowed = policy.getCondition() == RestartPolicy.Condition.NONE ? 1
                : policy.getMaxAttempts() > 0 ? policy.getMaxAttempts() + 1 : Long.MAX_VALUE;
        boolean gaveUp = allowed != Long.MAX_VALUE && count >= allowed * replicas && !restarting;
        return new Failures(count, last, gaveUp || count >= Math.max(3, replicas * 3));
    }
}
