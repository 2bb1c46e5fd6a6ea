package io.shoal.manager.raft;

import io.shoal.api.Node;
import io.shoal.api.raft.StoreAction;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreObject;
import io.shoal.manager.consensus.ConsensusException;
import io.shoal.manager.store.ClusterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A manager's Raft storage damaged on disk: a corrupted entry in the last log segment, and a
 * corrupted snapshot. Either makes the member refuse to start with one line naming the damage and
 * what to do, and leaves the files as they were, instead of dropping entries.
 */
class StorageFaultsTest {
    @TempDir
    Path dir;
    private final UUID group = UUID.randomUUID();
    private final List<RaftNode> started = new ArrayList<>();
    private int port;

    @AfterEach
    void close() {
        started.forEach(RaftNode::close);
    }

    private RaftSettings settings(long snapshotThreshold) throws IOException {
        if (port == 0) {
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
        }
        return new RaftSettings("m1", "127.0.0.1", port, dir.resolve("m1"), group, Map.of("m1", "127.0.0.1:" + port), null,
                snapshotThreshold, Duration.ofMillis(300), Duration.ofMillis(600));
    }

    private RaftNode start(RaftSettings s, ClusterStore store) {
        RaftNode n = RaftNode.start(s, store);
        started.add(n);
        return n;
    }

    /** One member that leads, {@code count} nodes written through it, then stopped. */
    private void writeAndStop(RaftSettings s, int count) throws Exception {
        ClusterStore store = new ClusterStore();
        RaftNode n = start(s, store);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!n.isLeader()) {
            if (System.nanoTime() > deadline) {
                fail("no leader");
            }
            n.nextLeaderChange().get(20, TimeUnit.SECONDS);
        }
        for (int i = 0; i < count; i++) {
            StoreBatch b = StoreBatch.newBuilder().setTimestampMs(1).addActions(StoreAction.newBuilder()
                    .setKind(StoreAction.Kind.CREATE)
                    .setObject(StoreObject.newBuilder().setNode(Node.newBuilder().setId("n" + i)))).build();
            assertTrue(n.propose(b).get(20, TimeUnit.SECONDS).getOk());
        }
        n.close();
        started.remove(n);
    }

    private Path current() {
        return dir.resolve("m1").resolve(group.toString()).resolve("current");
    }

    private static List<Path> files(Path d, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted(Comparator.comparing(Path::toString)).toList();
        }
    }

    private static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0xFF);
        }
    }

    /** Where a segment's entries end (an open segment is preallocated with zeros after them). */
    private static int dataEnd(Path segment) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return end;
    }

    private static void assertOneLine(ConsensusException e, String... says) {
        String m = e.getMessage();
        assertTrue(!m.contains("\n"), m);
        for (String s : says) {
            assertTrue(m.contains(s), "'" + s + "' in: " + m);
        }
    }

    @Test
    void aCorruptedEntryInTheLastLogSegmentIsRefusedWithOneLine() throws Exception {
        RaftSettings s = settings(10_000);
        writeAndStop(s, 50);
        List<Path> segments = files(current(), "log_");
        assertTrue(!segments.isEmpty(), "no log segment in " + current());
        Path last = segments.getLast();
        flipByte(last, dataEnd(last) / 2); // inside an entry, not in the zeros Ratis preallocates after them
        byte[] damaged = Files.readAllBytes(last);

        ConsensusException e = assertThrows(ConsensusException.class, () -> start(s, new ClusterStore()));
        assertOneLine(e, "corrupt", "m1");
        assertArrayEquals(damaged, Files.readAllBytes(last), "a refused start changes nothing");
    }

    @Test
    void aCorruptedSnapshotIsRefusedWithOneLine() throws Exception {
        RaftSettings s = settings(10);
        writeAndStop(s, 50);
        Path sm = dir.resolve("m1").resolve(group.toString()).resolve("sm");
        // snapshot.TERM_INDEX: the newest by index (1_100 sorts before 1_99 as text)
        Path newest = files(sm, "snapshot.").stream().filter(p -> !p.toString().endsWith(".md5"))
                .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replaceAll(".*_", ""))))
                .orElseThrow(() -> new AssertionError("no snapshot in " + sm));
        flipByte(newest, Files.size(newest) / 2);
        byte[] damaged = Files.readAllBytes(newest);

        ConsensusException e = assertThrows(ConsensusException.class, () -> start(s, new ClusterStore()));
        assertOneLine(e, "corrupt", "m1");
        assertArrayEquals(damaged, Files.readAllBytes(newest), "a refused start changes nothing");
    }

    @Test
    void aTermFileEmptiedByAFailedWriteIsRepairedAboveEveryTermItMayHaveVotedIn() throws Exception {
        RaftSettings s = settings(10);
        writeAndStop(s, 30);
        Path meta = current().resolve("raft-meta");
        Files.write(meta, new byte[0]); // what Ratis leaves when writing it fails for want of space
        ClusterStore store = new ClusterStore();
        RaftNode n = start(s, store);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!n.isLeader() && System.nanoTime() < deadline) {
            n.nextLeaderChange().get(20, TimeUnit.SECONDS);
        }
        assertTrue(n.isLeader(), "the repaired member starts and leads its one-member group");
        while (store.view(tx -> tx.nodes().size()) < 30 && System.nanoTime() < deadline) {
            store.indexReached(store.appliedIndex() + 1).get(20, TimeUnit.SECONDS);
        }
        assertEquals(30, (int) store.view(tx -> tx.nodes().size()), "no entry lost");
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(meta)) {
            p.load(in);
        }
        assertTrue(Long.parseLong(p.getProperty("term")) > TermFileRepair.TERM_MARGIN,
                "a term above any the member may have voted in: " + p);
    }

    @Test
    void anUndamagedStorageRestartsWithEveryEntry() throws Exception {
        RaftSettings s = settings(10);
        writeAndStop(s, 50);
        ClusterStore store = new ClusterStore();
        RaftNode n = start(s, store);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (store.view(tx -> tx.nodes().size()) < 50 && System.nanoTime() < deadline) {
            store.indexReached(store.appliedIndex() + 1).get(20, TimeUnit.SECONDS);
        }
        int nodes = store.view(tx -> tx.nodes().size());
        assertEquals(50, nodes);
        assertTrue(n.appliedIndex() > 0);
    }
}
