package io.shoal.manager.raft;

import java.util.Locale;

/** Why a Raft member cannot start, in one line for the daemon's log and the caller. */
final class StartFailure {
    private StartFailure() {}

    /**
     * One line for a member that cannot start: Ratis' innermost reason, and for damaged storage
     * (a log entry or snapshot that fails its checksum) what to do, since the member refuses to
     * start rather than drop entries it may have acknowledged.
     */
    static String describe(RaftSettings settings, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = (root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage()).replaceAll("\\s*\\R\\s*", "; ");
        String lower = reason.toLowerCase(Locale.ROOT) + " " + root.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        if (lower.contains("corrupt") || lower.contains("checksum") || lower.contains("md5") || lower.contains("terminator")
                || lower.contains("invalidprotocolbuffer")) {
            return "the Raft storage in " + settings.storageDir() + " is corrupt (" + reason + "): this manager refuses to start "
                    + "rather than lose entries; restore its data dir from a backup, or, while the other managers keep quorum, "
                    + "remove it from the cluster and join it again (see docs/disaster-recovery.md)";
        }
        return "cannot start the Raft member " + settings.selfId() + " on " + settings.address() + " from " + settings.storageDir()
                + ": " + reason;
    }
}
