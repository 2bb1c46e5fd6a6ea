package io.shoal.manager.dispatcher;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When this manager last heard of each node: a heartbeat or a status report on a session here, a
 * session opening here, or (on the leader) a follower's liveness report naming the node. Only
 * memory: no store lock, no Raft write, so noting a heartbeat stays cheap under any load.
 */
final class Heard {
    private final Map<String, Long> at = new ConcurrentHashMap<>();

    void note(String nodeId, long now) {
        at.put(nodeId, now);
    }

    /** When the node was last heard of, or {@code otherwise} if never. */
    long last(String nodeId, long otherwise) {
        return at.getOrDefault(nodeId, otherwise);
    }

    void clear() {
        at.clear();
    }
}
