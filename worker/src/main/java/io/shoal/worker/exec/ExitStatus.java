package io.shoal.worker.exec;

/** How a container ended: its exit code (128 + N when killed by signal N). */
public record ExitStatus(int code) {
    public boolean success() {
        return code == 0;
    }

    /** "task: non-zero exit (3)" as `service ps` shows it; empty for success. */
    public String describe() {
        return code == 0 ? "" : "task: non-zero exit (" + code + ")";
    }
}
