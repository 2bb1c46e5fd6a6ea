package io.shoal.manager.dispatcher;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wake-ups of the streams that follow one node (its session, its assignments): the dispatcher's
 * store watch wakes the streams of the nodes a burst of changes concerns, or all of them, once the
 * burst is over, so one message covers it; a stream waits for its next wake-up.
 */
final class Wakeups {
    /** node id -> one permit holder per stream following that node */
    private final Map<String, Set<Semaphore>> waiters = new ConcurrentHashMap<>();

    void wake(String nodeId) {
        Set<Semaphore> set = waiters.get(nodeId);
        if (set != null) {
            set.forEach(Semaphore::release);
        }
    }

    void wakeAll() {
        waiters.values().forEach(set -> set.forEach(Semaphore::release));
    }

    /** A stream of {@code nodeId} starts listening; {@link #unregister} when it ends. */
    Semaphore register(String nodeId) {
        Semaphore sem = new Semaphore(0);
        waiters.computeIfAbsent(nodeId, k -> ConcurrentHashMap.newKeySet()).add(sem);
        return sem;
    }

    void unregister(String nodeId, Semaphore sem) {
        waiters.computeIfPresent(nodeId, (k, set) -> {
            set.remove(sem);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * How long a stream waits for a wake-up before it looks again on its own. Every change a stream
     * follows, and the end of its session or stream, wakes it; this is only a backstop. It was a
     * second: 1,000 idle sessions then cost a manager 2,000 wake-ups of virtual threads a second
     * (each assignments stream also read its node's tasks again), more than their heartbeats.
     */
    static final long BACKSTOP_SECONDS = 10;

    /**
     * Waits up to {@link #BACKSTOP_SECONDS} for a wake-up; true when woken. The wake-ups that came
     * meanwhile are taken with it: one read covers them. (Each stream used to sleep 5 ms here to let
     * a burst settle; the change hub now wakes it after the burst, once for all streams.)
     */
    static boolean await(Semaphore sem) throws InterruptedException {
        if (!sem.tryAcquire(BACKSTOP_SECONDS, TimeUnit.SECONDS)) {
            return false;
        }
        sem.drainPermits();
        return true;
    }
}
