package io.shoal.manager.raft;

import io.shoal.manager.store.ClusterStore;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCloseTest {
    @TempDir
    Path dir;

    private static long evictionThreads(String member) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(member + "@") && t.getName().contains("cacheEviction"))
                .count();
    }

    @Test
    void ratisStillKeepsItsLogsCacheEvictionWhereItIsStopped() {
        assertTrue(ServerClose.available(), "SegmentedRaftLog." + ServerClose.FIELD + " is gone: see ServerClose");
    }

    @Test
    void theCacheEvictionThreadEndsBeforeTheServerCloses() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String id = "e" + UUID.randomUUID().toString().substring(0, 8);
        RaftNode node = RaftNode.start(new RaftSettings(id, "127.0.0.1", port, dir.resolve(id), UUID.randomUUID(),
                Map.of(id, "127.0.0.1:" + port), null, 10_000, Duration.ofMillis(300), Duration.ofMillis(600)), new ClusterStore());
        try {
            assertEquals(1, evictionThreads(id), "the member's log runs its cache eviction thread");
            ServerClose.stopEviction(server(node));
            assertEquals(0, evictionThreads(id), "stopped before the close takes the log's lock");
        } finally {
            node.close();
        }
    }

    private static RaftServer server(RaftNode n) throws ReflectiveOperationException {
        Field f = RaftNode.class.getDeclaredField("server");
        f.setAccessible(true);
        return (RaftServer) f.get(n);
    }
}
