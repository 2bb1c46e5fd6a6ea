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
 */
public final class StoreFormat {
    /** What releases before formats were recorded wrote and applied (their nodes report 0). */
    public static final int LEGACY = 1;
    /** The newest format this build writes and reads. 2: nodes report their format (the entries are format 1's). */
    public static final int CURRENT = 2;

    private StoreFormat() {}

    /** The format a node reports, 0 (a release before formats) read as {@link #LEGACY}. */
    public static int reported(int value) {
        return value <= 0 ? LEGACY : value;
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
