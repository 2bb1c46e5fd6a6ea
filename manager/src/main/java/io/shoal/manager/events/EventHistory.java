package io.shoal.manager.events;

import io.shoal.api.Event;
import io.shoal.api.EventCursor;

import java.util.ArrayList;
import java.util.List;

/**
 * The latest events a manager recorded, at most {@code capacity} of them, oldest dropped first;
 * streams read it by sequence number (this manager's own count of events recorded) and wait in it
 * for new ones. What it no longer holds is tracked as a position ({@link #heldAfter}): every event
 * after it is here, so a stream resuming from a cursor at or after it misses nothing, and one
 * before it is told that events were dropped rather than silently skipping them.
 */
public final class EventHistory {
    /** A stream asked for events the history no longer holds. */
    public static final class Gone extends RuntimeException {
        Gone(String message) {
            super(message);
        }
    }

    private final Recorded[] ring;
    /** Sequence number the next event gets; the history holds {@code [next - size, next)}. */
    private long next;
    private int size;
    private long heldAfterIndex;
    private int heldAfterOrdinal = Positions.END_OF_ENTRY;

    public EventHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.ring = new Recorded[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    /** Appends an event (built when a stream first reads it). */
    synchronized void append(Recorded e) {
        if (size == ring.length) {
            Recorded dropped = ring[(int) ((next - size) % ring.length)];
            heldAfterIndex = dropped.index;
            heldAfterOrdinal = dropped.ordinal;
            size--;
        }
        ring[(int) (next % ring.length)] = e;
        next++;
        size++;
        notifyAll();
    }

    /**
     * Forgets everything up to Raft index {@code index} (the store was replaced by a snapshot, or
     * began from one): the events before it were never seen here.
     */
    synchronized void restart(long index) {
        size = 0;
        heldAfterIndex = index;
        heldAfterOrdinal = Positions.END_OF_ENTRY;
        notifyAll();
    }

    /** The sequence number the next recorded event will get: where a stream of new events only starts. */
    public synchronized long next() {
        return next;
    }

    /** The oldest event held (its sequence number). */
    public synchronized long oldest() {
        return next - size;
    }

    /**
     * The position just before sequence {@code seq}: the event before it if held, or else the point
     * from which everything is held. A stream's first progress mark, so a client that saw no event
     * yet can still resume without a gap.
     */
    public synchronized EventCursor before(long seq) {
        if (seq > next - size && seq <= next) {
            return at(seq - 1).cursor();
        }
        return EventCursor.newBuilder().setIndex(heldAfterIndex).setOrdinal(heldAfterOrdinal).build();
    }

    /** Where a stream resumes after {@code cursor}; {@link Gone} when events after it were dropped. */
    public synchronized long after(EventCursor cursor) {
        if (Positions.compare(cursor, heldAfterIndex, heldAfterOrdinal) < 0) {
            throw new Gone("the events after " + Positions.text(cursor.getIndex(), cursor.getOrdinal())
                    + " are no longer kept on this manager (it keeps the last " + ring.length + ", from after Raft index "
                    + Positions.text(heldAfterIndex, heldAfterOrdinal) + ")");
        }
        long lo = next - size;
        long hi = next;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            Recorded c = at(mid);
            if (Positions.compare(c.index, c.ordinal, cursor.getIndex(), cursor.getOrdinal()) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Where a stream of the events from {@code timeNanos} on starts (the oldest held, if all are later). */
    public synchronized long since(long timeNanos) {
        for (long s = next - size; s < next; s++) {
            if (at(s).timeNanos >= timeNanos) {
                return s;
            }
        }
        return next;
    }

    /** Up to {@code max} events from sequence {@code from}; {@link Gone} when the oldest of them was dropped already. */
    public synchronized List<Event> read(long from, int max) {
        if (from < next - size) {
            throw new Gone("this stream fell behind: the events it had still to send were dropped (the manager keeps the last "
                    + ring.length + "); resume from the last event printed");
        }
        List<Event> out = new ArrayList<>();
        for (long s = from; s < next && out.size() < max; s++) {
            out.add(at(s).event());
        }
        return out;
    }

    /** Waits until an event with sequence {@code seq} or later exists, at most {@code millis}; whether one does. */
    public synchronized boolean await(long seq, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (next <= seq) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    private Recorded at(long seq) {
        return ring[(int) (seq % ring.length)];
    }
}
