package io.shoal.manager.raft;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Repairs Ratis' term-and-vote file ({@code current/raft-meta}) that a failed write emptied.
 *
 * <p>Ratis writes the file through a temporary file that it renames over the old one on close, but
 * when the write itself fails (no space left: ext4 refuses a block at {@code write}), the writer's
 * close still closes the temporary file, which renames the empty file over the good one. The member
 * then cannot start ("'term' not found"). The lost term and vote cannot be read back, and Raft
 * forbids a member to vote twice in a term, so the repair writes a term above every term the member
 * can have voted in: the highest term its storage still shows (the newest snapshot's, the last
 * configuration entry's) plus {@link #TERM_MARGIN}, with no vote. A term that far ahead is safe (the
 * member has cast no vote in it or in any term after) and costs one election: the first leader that
 * hears of it steps down, and the cluster goes on in a term above it. Those million elections would
 * have to happen while this member's disk was full, without a snapshot in between.
 */
final class TermFileRepair {
    private static final Logger LOG = LoggerFactory.getLogger(TermFileRepair.class);
    static final long TERM_MARGIN = 1_000_000;
    private static final Pattern SNAPSHOT = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");

    private TermFileRepair() {}

    /**
     * Repairs {@code groupDir/current/raft-meta} if it exists and holds no term; returns the term
     * written, or -1 when the file needed nothing.
     */
    static long repairIfEmptied(Path groupDir) throws IOException {
        Path meta = groupDir.resolve("current").resolve("raft-meta");
        if (!Files.exists(meta) || hasTerm(meta)) {
            return -1;
        }
        long base = Math.max(newestSnapshotTerm(groupDir.resolve("sm")), configurationTerm(groupDir.resolve("current")));
        long term = base + TERM_MARGIN;
        Path tmp = meta.resolveSibling("raft-meta.shoal-repair");
        Files.writeString(tmp, "# written by shoal: the file was emptied by a failed write\nterm=" + term + "\nvotedFor=\n");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        LOG.warn("{} held no term (emptied by a write that failed, as on a full disk): wrote term {} (the highest term "
                + "its storage shows, {}, plus {}) and no vote, so this member votes in no term it may have voted in; "
                + "expect one election when it rejoins", meta, term, base, TERM_MARGIN);
        return term;
    }

    private static boolean hasTerm(Path meta) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(meta)));
        String term = p.getProperty("term");
        if (term == null) {
            return false;
        }
        try {
            Long.parseLong(term.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The term of the newest snapshot in {@code smDir} (files snapshot.TERM_INDEX), 0 without one. */
    private static long newestSnapshotTerm(Path smDir) throws IOException {
        long term = 0;
        if (!Files.isDirectory(smDir)) {
            return term;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(smDir, "snapshot.*")) {
            for (Path f : files) {
                Matcher m = SNAPSHOT.matcher(f.getFileName().toString());
                if (m.matches()) {
                    term = Math.max(term, Long.parseLong(m.group(1)));
                }
            }
        }
        return term;
    }

    /** The term of the configuration entry Ratis keeps in {@code raft-meta.conf}, 0 if none or unreadable. */
    private static long configurationTerm(Path current) {
        Path conf = current.resolve("raft-meta.conf");
        try {
            return Files.exists(conf) ? LogEntryProto.parseFrom(Files.readAllBytes(conf)).getTerm() : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
