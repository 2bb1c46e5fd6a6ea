package io.shoal.manager.events;

import io.shoal.api.EventCursor;

/** Orders event positions: by Raft index, then by the change's place in its entry. */
public final class Positions {
    /** After every change of entry {@code index}. */
    static final int END_OF_ENTRY = Integer.MAX_VALUE;

    private Positions() {}

    public static int compare(long indexA, int ordinalA, long indexB, int ordinalB) {
        int c = Long.compare(indexA, indexB);
        return c != 0 ? c : Integer.compareUnsigned(ordinalA, ordinalB);
    }

    public static int compare(EventCursor a, long index, int ordinal) {
        return compare(a.getIndex(), a.getOrdinal(), index, ordinal);
    }

    public static int compare(EventCursor a, EventCursor b) {
        return compare(a.getIndex(), a.getOrdinal(), b.getIndex(), b.getOrdinal());
    }

    static String text(long index, int ordinal) {
        return ordinal == END_OF_ENTRY ? Long.toString(index) : index + "." + ordinal;
    }
}
