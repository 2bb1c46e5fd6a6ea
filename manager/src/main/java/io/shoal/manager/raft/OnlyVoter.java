package io.shoal.manager.raft;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.protocol.RaftPeer;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Makes a stopped member the only voter of its group, for {@code shoal init --force-new-cluster}:
 * the way of Ratis' own {@code ratis sh local raftMetaConf}, a configuration written to the
 * storage's {@code raft-meta.conf}, which a member reads before its log when it starts.
 * <p>
 * The configuration carries the index the member's log would write next. Ratis takes the
 * configuration with the highest index as current, so it outranks every configuration in the log
 * and in snapshots; the member then elects itself and appends, at exactly that index, the entry
 * every new leader appends with its configuration, which makes the two one and the same. Nothing
 * in the log is removed: committing that entry commits every entry before it, as etcd's and
 * swarmkit's force-new-cluster do, so an entry this member held is never dropped.
 */
final class OnlyVoter {
    private OnlyVoter() {
    }

    /** The file Ratis reads the member's configuration from at start (RaftStorageDirectory's META_CONF). */
    static Path confFile(Path storageDir, UUID groupId) {
        return storageDir.resolve(groupId.toString()).resolve("current").resolve("raft-meta.conf");
    }

    /** Writes (atomically) the configuration {self} at {@code nextIndex}. */
    static void write(Path storageDir, UUID groupId, RaftPeer self, long nextIndex) throws IOException {
        Path file = confFile(storageDir, groupId);
        if (!Files.isDirectory(file.getParent())) {
            throw new IOException("no Raft storage in " + file.getParent());
        }
        LogEntryProto entry = LogEntryProto.newBuilder()
                .setIndex(nextIndex)
                .setConfigurationEntry(RaftConfigurationProto.newBuilder().addPeers(self.getRaftPeerProto()))
                .build();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            entry.writeTo(out);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
