package io.shoal.chaos.history;

import java.util.ArrayList;
import java.util.List;

/**
 * The recorder: clients and the nemesis append to it from many threads, on one monotonic clock that
 * starts at zero when the history is made.
 */
public final class History {
    private final long origin = System.nanoTime();
    private final List<Op> ops = new ArrayList<>();
    private final List<Fault> faults = new ArrayList<>();

    /** Nanoseconds since the history began. */
    public long now() {
        return System.nanoTime() - origin;
    }

    public synchronized void add(Op op) {
        ops.add(op);
    }

    public synchronized void add(Fault fault) {
        faults.add(fault);
    }

    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    public synchronized List<Fault> faults() {
        return List.copyOf(faults);
    }
}
