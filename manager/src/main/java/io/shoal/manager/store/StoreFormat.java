package io.shoal.manager.store;

/**
 * The format of the Raft log entries and snapshots this build writes and reads. See
 * docs/operations.md (upgrades): a format number grows when a build adds a kind of entry that an
 * older manager could not apply the same way; such entries wait until every manager supports it.
 */
public final class StoreFormat {
    /** What releases before formats were recorded wrote and applied (their nodes report 0). */
    public static final int LEGACY = 1;
    /**
     * The newest format this build writes and reads. 2: every log entry and snapshot names its
     * format, and the cluster object records the format the managers agreed on.
     */
    public static final int CURRENT = 2;

    private StoreFormat() {}

    /** The format a node reports, 0 (a release before formats) read as {@link #LEGACY}. */
    public static int reported(int value) {
        return value <= 0 ? LEGACY : value;
    }
}
