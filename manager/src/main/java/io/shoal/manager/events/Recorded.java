package io.shoal.manager.events;

import io.shoal.api.Event;
import io.shoal.api.EventCursor;
import io.shoal.manager.store.StoreEvent;

/**
 * One recorded event: its position and time at once, its docker shape ({@link Event}) only when a
 * stream first reads it. Most events are never read (no one follows {@code shoal events} while a
 * deployment places thousands of tasks), so the recorder keeps the change and the names it needs
 * as they were, and {@link ClusterEvents#build} makes the event from them later, the same as it
 * would have then. Guarded by its {@link EventHistory}'s lock.
 */
final class Recorded {
    final long index;
    final int ordinal;
    final long timeNanos;
    private StoreEvent change;
    /** the task's service and node names as the recorder knew them (tasks only) */
    private final String serviceName;
    private final String nodeName;
    private Event event;

    Recorded(StoreEvent change, int ordinal, long timeNanos, String serviceName, String nodeName) {
        this.index = change.index();
        this.ordinal = ordinal;
        this.timeNanos = timeNanos;
        this.change = change;
        this.serviceName = serviceName;
        this.nodeName = nodeName;
    }

    EventCursor cursor() {
        return EventCursor.newBuilder().setIndex(index).setOrdinal(ordinal).build();
    }

    Event event() {
        if (event == null) {
            event = ClusterEvents.build(change, ordinal, timeNanos, serviceName, nodeName);
            change = null; // the versions it held may go
        }
        return event;
    }
}
