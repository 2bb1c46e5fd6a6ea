package io.shoal.manager.dispatcher;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Wake-ups of the streams that follow one node (its session, its assignments): the store watch
 * wakes the streams of the nodes a change concerns, or all of them; a stream waits for its next
 * wake-up and then lets the burst settle so that one message covers it.
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
     * Waits up to {@link #BACKSTOP_SECONDS} for a wake-up, then lets a burst of changes settle for
     * 5 ms. True when woken.
     */
    static boolean await(Semaphore sem) throws InterruptedException {
        if (!sem.tryAcquire(BACKSTOP_SECONDS, TimeUnit.SECONDS)) {
            return false;
        }
        Thread.sleep(5);
        sem.drainPermits();
        return true;
    }
}
