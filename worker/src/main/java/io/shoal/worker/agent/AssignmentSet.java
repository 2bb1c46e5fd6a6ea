package io.shoal.worker.agent;

import io.grpc.Status;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's task set as one assignments stream builds it, with the secrets and configs of its
 * tasks: a full set first, then changes. A
 * message out of sequence (or changes before any full set) ends the stream with UNAVAILABLE, so the
 * agent opens a new session and starts again from a full set instead of running on a wrong one.
 */
final class AssignmentSet {
    private final Map<String, Task> tasks = new LinkedHashMap<>();
    /** the secrets and configs of those tasks, kept where the node's task runners read them */
    private final DependencyStore dependencies;
    private long sequence;
    private boolean haveFull;

    AssignmentSet() {
        this(new DependencyStore());
    }

    AssignmentSet(DependencyStore dependencies) {
        this.dependencies = dependencies;
    }

    /** Applies one message; returns the whole set after it. */
    List<Task> apply(AssignmentsMessage m) {
        if (m.getSequence() != sequence + 1 || (!m.getFull() && !haveFull)) {
            throw Status.UNAVAILABLE.withDescription("assignments out of sequence (got " + m.getSequence() + " after "
                    + sequence + "); resyncing").asRuntimeException();
        }
        sequence = m.getSequence();
        if (m.getFull()) {
            tasks.clear();
            haveFull = true;
        }
        // the secrets and configs first: a task's must be there before its runner prepares it
        dependencies.apply(m);
        m.getRemovedList().forEach(tasks::remove);
        m.getTasksList().forEach(t -> tasks.put(t.getId(), t));
        return new ArrayList<>(tasks.values());
    }
}
