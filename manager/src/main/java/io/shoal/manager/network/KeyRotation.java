package io.shoal.manager.network;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * When and how an encrypted network's keys change: a pure function of the keys it holds, the time
 * and the rotation period, so a new leader goes on where the old one stopped (the keys and their
 * creation times are all in the store). Docker's scheme (libnetwork keeps three keys and sends with
 * the middle one), one write per step:
 * <pre>
 *   held:   retiring (receive only)   primary (senders use it)   next (receive only)
 *   stage:  a network without a next key gets one at once (its first key has no successor yet)
 *   rotate: one period after the next key was made, it becomes primary, the primary becomes
 *           retiring, the retiring key is dropped, and a new next key is made
 * </pre>
 * So a key reaches every node one whole period before any sender uses it (receivers accept every
 * key they hold, by id), and the key senders stop using is still accepted for one more period,
 * then dropped: a packet sealed with it is refused from then on. Receivers never meet a key id they
 * were not given in time, unless a node was cut off from the managers for longer than a period.
 */
public final class KeyRotation {
    private KeyRotation() {}

    /** A key as the policy sees it: its id, whether senders use it, when it was made. */
    public record Key(int id, boolean primary, long createdMs) {}

    /** What to do now. */
    public sealed interface Step {
        /** Nothing until {@code dueMs}. */
        record Wait(long dueMs) implements Step {}

        /** The network has no primary key (none at all): make one that senders use at once. */
        record First() implements Step {}

        /** Add a receive-only key, keeping the others. */
        record Stage() implements Step {}

        /**
         * {@code promote} becomes primary, {@code retire} (the primary until now) receive-only,
         * every other key is dropped, and a new receive-only key is made.
         */
        record Rotate(int promote, int retire) implements Step {}
    }

    /** The step for a network holding {@code keys} at {@code nowMs}, rotating every {@code period}. */
    public static Step next(List<Key> keys, long nowMs, Duration period) {
        Key primary = keys.stream().filter(Key::primary).max(Comparator.comparingLong(Key::createdMs)).orElse(null);
        if (primary == null) {
            return new Step.First();
        }
        Key next = keys.stream().filter(k -> !k.primary() && k.createdMs() >= primary.createdMs() && k.id() != primary.id())
                .max(Comparator.comparingLong(Key::createdMs)).orElse(null);
        if (next == null) {
            return new Step.Stage();
        }
        long due = next.createdMs() + period.toMillis();
        if (nowMs < due) {
            return new Step.Wait(due);
        }
        return new Step.Rotate(next.id(), primary.id());
    }
}
