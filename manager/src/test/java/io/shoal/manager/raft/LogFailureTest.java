package io.shoal.manager.raft;

import io.shoal.api.Node;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.store.ClusterStore;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.ServerSocket;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A member whose Raft log failed (Ratis closes the log after a failed write, as on a full disk)
 * is started again from its storage by its {@link RaftNode}, catches up, and its store never goes
 * back: the leader's or a follower's log is closed under it here, as Ratis' log worker does on an
 * I/O error.
 */
class LogFailureTest {
    @TempDir
    Path dir;
    private final UUID group = UUID.randomUUID();
    private final Map<String, RaftNode> nodes = new LinkedHashMap<>();
    private final Map<String, ClusterStore> stores = new LinkedHashMap<>();

    @AfterEach
    void close() {
        nodes.values().forEach(RaftNode::close);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static StoreBatch createNode(String id) {
        return StoreBatch.newBuilder().setTimestampMs(1).addActions(StoreAction.newBuilder().setKind(StoreAction.Kind.CREATE)
                .setObject(StoreObject.newBuilder().setNode(Node.newBuilder().setId(id)))).build();
    }

    private static RaftServer server(RaftNode n) throws ReflectiveOperationException {
        Field f = RaftNode.class.getDeclaredField("server");
        f.setAccessible(true);
        return (RaftServer) f.get(n);
    }

    @Test
    void aLeaderWhoseLogFailedStartsAgainAndCatchesUp() throws Exception {
        logFailsAndMemberCatchesUp(true);
    }

    @Test
    void aFollowerWhoseLogFailedStartsAgainAndCatchesUp() throws Exception {
        logFailsAndMemberCatchesUp(false);
    }

    private void logFailsAndMemberCatchesUp(boolean leaderFails) throws Exception {
        Map<String, String> peers = new LinkedHashMap<>();
        for (String id : new String[] {"m1", "m2", "m3"}) {
            peers.put(id, "127.0.0.1:" + freePort());
        }
        for (var e : peers.entrySet()) {
            String[] hostPort = e.getValue().split(":");
            ClusterStore store = new ClusterStore();
            stores.put(e.getKey(), store);
            nodes.put(e.getKey(), RaftNode.start(new RaftSettings(e.getKey(), hostPort[0], Integer.parseInt(hostPort[1]),
                    dir.resolve(e.getKey()), group, peers, null, 10_000, Duration.ofMillis(300), Duration.ofMillis(600)), store));
        }
        await("a leader", Duration.ofSeconds(20), () -> nodes.values().stream().anyMatch(RaftNode::isLeader));
        String leader = nodes.entrySet().stream().filter(e -> e.getValue().isLeader()).findFirst().orElseThrow().getKey();
        String failingId = leaderFails ? leader
                : nodes.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        RaftNode failing = nodes.get(failingId);
        for (int i = 0; i < 20; i++) {
            assertTrue(nodes.get(leader).propose(createNode("before-" + i)).get(20, TimeUnit.SECONDS).getOk());
        }
        ClusterStore store = stores.get(failingId);
        await("the failing member to apply the first writes", Duration.ofSeconds(30), () -> store.view(tx -> tx.nodes().size()) == 20);
        long appliedBefore = store.appliedIndex();

        RaftServer old = server(failing);
        try {
            old.getDivision(RaftGroupId.valueOf(group)).getRaftLog().close();
        } catch (ClosedChannelException | NullPointerException e) {
            // the member's own check saw the log closed (the first thing close does) and closed its
            // storage before this close released the storage's lock (Ratis' unlock then finds the
            // channel closed, or the lock already gone): the failure under test, found first
        }

        // the others take writes (after electing a new leader when the leader failed)
        if (leaderFails) {
            await("the failed member to stop leading", Duration.ofSeconds(20), () -> !failing.isLeader());
        }
        for (int i = 0; i < 20; i++) {
            String id = "after-" + i;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                RaftNode writer = nodes.entrySet().stream().filter(e -> !e.getKey().equals(failingId) && e.getValue().isLeader())
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                try {
                    if (writer != null && writer.propose(createNode(id)).get(20, TimeUnit.SECONDS).getOk()) {
                        break;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                if (System.nanoTime() > deadline) {
                    fail("no leader among the healthy members took write " + id);
                }
                if (stores.entrySet().stream().anyMatch(e -> !e.getKey().equals(failingId) && e.getValue().view(tx -> tx.node(id)).isPresent())) {
                    break; // an earlier try applied
                }
                Thread.sleep(20);
            }
        }

        // started again from its storage, caught up, and its store never went back
        await("the failed member to catch up", Duration.ofSeconds(60),
                () -> store.view(tx -> tx.node("after-19")).isPresent() && store.view(tx -> tx.nodes().size()) == 40);
        assertNotSame(old, server(failing), "the member was not started again");
        assertTrue(store.appliedIndex() > appliedBefore);
        assertTrue(failing.appliedIndex() >= appliedBefore, "applied " + failing.appliedIndex() + " < " + appliedBefore);
    }
}
