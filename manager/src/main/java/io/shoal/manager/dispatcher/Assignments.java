package io.shoal.manager.dispatcher;

import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Task;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an assignments stream sends: the node's whole task set first, then only what changed (new or
 * changed tasks, and the ids of removed ones), so a change to one task costs one task on the wire
 * however many the node runs. The sequence number (set by the stream) lets a worker notice a gap and
 * resync by opening a new stream.
 */
final class Assignments {
    private Assignments() {}

    /** The next message given the last task set sent (null before the first) and the current one; null when nothing changed. */
    static AssignmentsMessage.Builder next(Map<String, Task> last, List<Task> now) {
        if (last == null) {
            return AssignmentsMessage.newBuilder().setFull(true).addAllTasks(now);
        }
        AssignmentsMessage.Builder b = AssignmentsMessage.newBuilder();
        Map<String, Task> current = byId(now);
        for (Task t : now) {
            if (!t.equals(last.get(t.getId()))) {
                b.addTasks(t);
            }
        }
        for (String id : last.keySet()) {
            if (!current.containsKey(id)) {
                b.addRemoved(id);
            }
        }
        return b.getTasksCount() == 0 && b.getRemovedCount() == 0 ? null : b;
    }

    static Map<String, Task> byId(List<Task> tasks) {
        Map<String, Task> m = new LinkedHashMap<>();
        tasks.forEach(t -> m.put(t.getId(), t));
        return m;
    }
}
