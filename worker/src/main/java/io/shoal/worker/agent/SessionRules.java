package io.shoal.worker.agent;

import io.shoal.api.SessionMessage;
import io.shoal.api.WeightedPeer;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The agent's decisions about its session as pure functions of what it knows and the time (in
 * {@link System#nanoTime} units): when to heartbeat, when to give a session up, which managers a
 * session message lists. {@link Agent} does the talking.
 */
final class SessionRules {
    /** The least silence that ends a session, however short the period. */
    static final long MIN_SILENCE_MS = 1_000;

    private SessionRules() {}

    /**
     * Whether a heartbeat is due now: not when a status report was answered within the period,
     * which the manager counts as a heartbeat (as Raft counts entries), so a busy node beats less.
     */
    static boolean beatDue(long now, long reportAnswered, long periodMs) {
        return now - reportAnswered >= TimeUnit.MILLISECONDS.toNanos(periodMs);
    }

    /**
     * Why the session must end now, or null while it lives: neither a heartbeat nor a report was
     * answered for twice the period (at least {@link #MIN_SILENCE_MS}), so the manager hangs or is
     * cut off and another one should have the session.
     */
    static String silence(long now, long beatAnswered, long reportAnswered, long periodMs) {
        long silentMs = (now - Math.max(beatAnswered, reportAnswered)) / 1_000_000;
        return silentMs > Math.max(2 * periodMs, MIN_SILENCE_MS) ? "no heartbeat answer for " + silentMs + " ms" : null;
    }

    /** The manager addresses a session message lists, or {@code current} when it lists none. */
    static List<String> managers(SessionMessage m, List<String> current) {
        List<String> fresh = m.getManagersList().stream().map(WeightedPeer::getAddr).filter(a -> !a.isEmpty()).toList();
        return fresh.isEmpty() ? current : fresh;
    }

    /**
     * Which manager each new session goes to. Sessions spread over the managers: each worker starts
     * at a random one (every manager serves sessions from its own store) and moves to the next
     * after each attempt; a manager's own worker talks to its own dispatcher every other attempt.
     */
    static final class Rotation {
        private final String self;
        private int next;
        private int homeTurns;

        /** @param self this daemon's address; @param start where in the list the first attempt goes (random) */
        Rotation(String self, int start) {
            this.self = self;
            this.next = start;
        }

        String next(List<String> candidates) {
            boolean home = candidates.contains(self) && homeTurns++ % 2 == 0;
            String addr = home ? self : candidates.get(Math.floorMod(next, candidates.size()));
            next++;
            return addr;
        }
    }
}
