package io.shoal.worker.exec;

import io.shoal.api.HealthConfig;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A container's health, as Docker defines it: probes run every {@code interval} from the moment
 * the container starts; a probe that exits 0 within {@code timeout} passes. The first pass makes
 * the container healthy; {@code retries} failures in a row make it unhealthy, except that failures
 * during {@code start_period} do not count (a pass still counts). Pure: the caller runs the probes
 * and tells the time, so the rules are tested without containers or clocks.
 */
public final class Health {
    public enum Status { STARTING, HEALTHY, UNHEALTHY }

    /** Docker's defaults for the parts a health check leaves out. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_RETRIES = 3;

    /** A probe's outcome: its exit code (-1: it timed out or could not run) and the end of its output. */
    public record Probe(int exitCode, String output) {
        boolean passed() {
            return exitCode == 0;
        }
    }

    private final List<String> command;
    private final long intervalMs;
    private final long timeoutMs;
    private final int retries;
    private final long startPeriodEndsMs;
    private Status status = Status.STARTING;
    private int failuresInARow;
    private long nextProbeMs;
    private Probe last;

    private Health(List<String> command, HealthConfig c, long startedAtMs) {
        this.command = command;
        this.intervalMs = c.getIntervalMs() > 0 ? c.getIntervalMs() : DEFAULT_INTERVAL.toMillis();
        this.timeoutMs = c.getTimeoutMs() > 0 ? c.getTimeoutMs() : DEFAULT_TIMEOUT.toMillis();
        this.retries = c.getRetries() > 0 ? c.getRetries() : DEFAULT_RETRIES;
        this.startPeriodEndsMs = startedAtMs + Math.max(0, c.getStartPeriodMs());
        this.nextProbeMs = startedAtMs + intervalMs;
    }

    /**
     * The check a container has: empty when it has none or it is switched off ({@code NONE}).
     *
     * @param c           the check from the service spec or, if that has none, from the image
     * @param startedAtMs when the container started
     */
    public static Optional<Health> of(HealthConfig c, long startedAtMs) {
        return command(c).map(cmd -> new Health(cmd, c, startedAtMs));
    }

    /**
     * The probe command of a check: {@code CMD args...} runs args, {@code CMD-SHELL line} runs
     * {@code /bin/sh -c line}, {@code NONE} or nothing means no check.
     */
    public static Optional<List<String>> command(HealthConfig c) {
        List<String> t = c.getTestList();
        if (t.isEmpty() || t.get(0).equals("NONE")) {
            return Optional.empty();
        }
        return switch (t.get(0)) {
            case "CMD" -> t.size() > 1 ? Optional.of(List.copyOf(t.subList(1, t.size()))) : Optional.empty();
            case "CMD-SHELL" -> t.size() > 1 ? Optional.of(List.of("/bin/sh", "-c", String.join(" ", t.subList(1, t.size()))))
                    : Optional.empty();
            // a bare command line, as `--health-cmd` gives it before it is stored in the canonical form
            default -> Optional.of(List.of("/bin/sh", "-c", String.join(" ", t)));
        };
    }

    public List<String> probeCommand() {
        return command;
    }

    public Duration timeout() {
        return Duration.ofMillis(timeoutMs);
    }

    /** Whether a probe should run now. */
    public boolean due(long nowMs) {
        return status != Status.UNHEALTHY && nowMs >= nextProbeMs;
    }

    /** Records a probe that ended at {@code nowMs}; returns the new status. */
    public Status record(Probe p, long nowMs) {
        last = p;
        nextProbeMs = nowMs + intervalMs;
        if (p.passed()) {
            failuresInARow = 0;
            status = Status.HEALTHY;
        } else if (nowMs >= startPeriodEndsMs || status == Status.HEALTHY) {
            failuresInARow++;
            if (failuresInARow >= retries) {
                status = Status.UNHEALTHY;
            }
        }
        return status;
    }

    public Status status() {
        return status;
    }

    /** What the task's step needs to know: the status and, once unhealthy, why. */
    public record Report(Status status, String detail) {
        /** A container with a check that has not started yet (or whose daemon just restarted). */
        public static final Report STARTING = new Report(Status.STARTING, "");
    }

    public Report report() {
        return new Report(status, status == Status.UNHEALTHY ? describe() : "");
    }

    /** Why the container is unhealthy, for the task's error. */
    public String describe() {
        String out = last == null ? "" : last.output().strip();
        String code = last == null ? "" : last.exitCode() < 0 ? "the probe timed out or could not run" : "probe exit " + last.exitCode();
        return "unhealthy container: " + failuresInARow + " health checks failed in a row (" + code
                + (out.isEmpty() ? "" : ": " + out.lines().reduce((a, b) -> b).orElse(out)) + ")";
    }
}
