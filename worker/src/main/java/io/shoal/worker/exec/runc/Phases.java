package io.shoal.worker.exec.runc;

/**
 * Where the durations of a container's start go, step by step: {@code rootfs} (the image and its
 * overlay mount), {@code bundle} (config.json and the container's files), {@code netns} (the
 * network namespace the worker makes for a task on overlay networks), {@code network} (plugging it
 * into them), {@code create} (conmon and {@code runc create}, until the container exists) and
 * {@code start} ({@code runc start}); and, after it ran, {@code stop} (the stop signal until the
 * exit is seen) and {@code remove} (the runtime's delete, the overlay and the bundle). A node
 * exports them as a metric.
 */
@FunctionalInterface
public interface Phases {
    Phases NONE = (phase, nanos) -> { };

    void record(String phase, long nanos);
}
