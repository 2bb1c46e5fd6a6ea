package io.shoal.manager.store;

import io.shoal.api.Node;
import io.shoal.api.NodeRole;

import java.util.List;

/**
 * The format of the Raft log entries and snapshots this build writes and reads. See
 * docs/operations.md (upgrades): a format number grows when a build adds a kind of entry that an
 * older manager could not apply the same way; such entries are to wait until every manager reports
 * that format ({@link #agreed}). Each node reports the newest format its code applies in its
 * description; no kind of entry needs more than the legacy format yet.
 *
 * <p>Every Raft entry and snapshot carries the format its content needs ({@link #WRITTEN} today);
 * the store refuses one newer than {@link #CURRENT} whole, before it changes anything
 * ({@link #checkReadable}): a manager whose code is older stops applying its log there, with one
 * line that names the entry, its format and this build's, rather than apply it half or skip it
 * and drift from the other managers.
 */
public final class StoreFormat {
    /** What releases before formats were recorded wrote and applied (their nodes report 0). */
    public static final int LEGACY = 1;
    /** The newest format this build writes and reads. 2: nodes report their format (the entries are format 1's). */
    public static final int CURRENT = 2;
    /** The format the entries and snapshots this build writes need: nothing a legacy manager cannot apply. */
    public static final int WRITTEN = LEGACY;

    private StoreFormat() {}

    /** The format a node reports, 0 (a release before formats) read as {@link #LEGACY}. */
    public static int reported(int value) {
        return value <= 0 ? LEGACY : value;
    }

    /**
     * Refuses {@code what} (a Raft log entry or snapshot, named for the message) written in
     * {@code format} when this build cannot apply that format.
     *
     * @throws TooNew naming {@code what}, its format and this build's
     */
    public static void checkReadable(int format, String what) {
        if (format > CURRENT) {
            throw new TooNew(what + " has store format " + format + ", newer than this build's " + CURRENT
                    + ": not applied; upgrade this manager to the release of the others");
        }
    }

    /** An entry or snapshot in a format newer than this build's code (see {@link #checkReadable}). */
    public static final class TooNew extends IllegalStateException {
        TooNew(String message) {
            super(message);
        }
    }

    /**
     * The format every manager among {@code nodes} can apply: the lowest any of them reports;
     * {@link #CURRENT} when there is no manager among them yet.
     */
    public static int agreed(List<Node> nodes) {
        int format = CURRENT;
        for (Node n : nodes) {
            if (n.getRole() == NodeRole.NODE_ROLE_MANAGER) {
                format = Math.min(format, reported(n.getDescription().getStoreFormat()));
            }
        }
        return format;
    }
}
