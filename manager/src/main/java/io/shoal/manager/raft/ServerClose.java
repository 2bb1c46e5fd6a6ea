package io.shoal.manager.raft;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.raftlog.segmented.SegmentedRaftLog;
import org.apache.ratis.util.AwaitToRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Field;

/**
 * Closes a member's Ratis server without the deadlock Ratis 3.3.0's log can close into.
 *
 * <p>{@code SegmentedRaftLog.close} takes the log's write lock, then interrupts and joins its cache
 * eviction thread; that thread, once signalled, waits for the same write lock ({@code lock()}, which
 * an interrupt does not end), so a close that comes while an eviction is due never returns (seen in
 * {@code RaftClusterTest}: {@code closeAll} stuck for 13 minutes, the eviction thread parked on the
 * lock that the closing thread held). A manager's close would hang the same way on shutdown, and a
 * member that {@link MemberRecovery} stops would never start again. So the eviction thread is
 * stopped first, without the lock held: if it waits for the lock, it gets it once the current
 * append releases it, evicts, and ends. Ratis keeps the thread in a private field, found by
 * reflection once; if an upgrade removed it, the member says so once and closes as before
 * ({@code ServerCloseTest} fails).
 */
final class ServerClose {
    private static final Logger LOG = LoggerFactory.getLogger(ServerClose.class);
    static final String FIELD = "cacheEviction";
    private static final Field EVICTION = lookup();

    private ServerClose() {
    }

    static boolean available() {
        return EVICTION != null;
    }

    /** Stops every log's cache eviction thread, then closes the server. */
    static void close(RaftServer server) throws IOException {
        stopEviction(server);
        server.close();
    }

    static void stopEviction(RaftServer server) {
        if (EVICTION == null) {
            return;
        }
        for (RaftGroupId g : server.getGroupIds()) {
            try {
                RaftLog log = server.getDivision(g).getRaftLog();
                if (log instanceof SegmentedRaftLog && EVICTION.get(log) instanceof AwaitToRun eviction) {
                    eviction.close();
                }
            } catch (IOException | IllegalAccessException | RuntimeException e) {
                // the division is gone or closing already: nothing to stop
            }
        }
    }

    private static Field lookup() {
        try {
            Field f = SegmentedRaftLog.class.getDeclaredField(FIELD);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Ratis' SegmentedRaftLog.{} is not there ({}): a member is closed without stopping its cache "
                    + "eviction first, which can hang the close", FIELD, e.toString());
            return null;
        }
    }
}
