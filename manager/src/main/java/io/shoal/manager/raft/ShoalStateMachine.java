package io.shoal.manager.raft;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.StoreBatch;
import io.shoal.api.raft.StoreSnapshot;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreFormat;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Applies committed {@link StoreBatch} entries to the {@link ClusterStore} and snapshots it.
 *
 * <p>Snapshots are one file per (term, index) holding a {@link StoreSnapshot}; the newest two are
 * kept. A follower that falls behind the purged log receives the leader's snapshot file: Ratis
 * then calls {@link #pause()} and {@link #reinitialize()}, which reload the store from it. The base
 * class's {@code pause()} does nothing, which leaves the life cycle RUNNING and makes the follower
 * fail after the install; the transitions below are the ones Ratis expects.
 *
 * <p>An entry or snapshot in a store format newer than this build's is refused whole (the store
 * checks it before it changes anything): the error line names it, and the exception stops this
 * manager's Raft server from applying further, since the other managers did apply it.
 */
final class ShoalStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ShoalStateMachine.class);
    private static final SnapshotRetentionPolicy KEEP_TWO = new SnapshotRetentionPolicy() {
        @Override
        public int getNumSnapshotsRetained() {
            return 2;
        }
    };

    private final ClusterStore store;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Object snapshotLock = new Object();
    private final Runnable onLeaderEvent;
    /** the first failed write of this member's log, if any (Ratis fails every later one too) */
    private volatile Throwable logFailure;
    /** Ratis shut this member down because its voters said it is no longer in the group */
    private volatile boolean removedFromGroup;

    /** @param onLeaderEvent told of every change of the leader or of this member's readiness to lead (on Ratis' threads: be quick) */
    ShoalStateMachine(ClusterStore store, Runnable onLeaderEvent) {
        this.store = store;
        this.onLeaderEvent = onLeaderEvent;
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
        onLeaderEvent.run();
    }

    /** This member leads and has applied the first entry of its term. */
    @Override
    public void notifyLeaderReady() {
        onLeaderEvent.run();
    }

    /** Ratis' log worker failed a write (a full disk): it fails every later write of this member. */
    @Override
    public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
        if (logFailure == null) {
            logFailure = cause;
        }
    }

    /** The first failed write of this member's log (then the member must be started again), or null. */
    Throwable logFailure() {
        return logFailure;
    }

    /**
     * Ratis shut this member down. With {@code allServer} false that is its election's doing: the
     * voters answered that it is no longer in the group (it was removed), so it must not be started
     * again; true is the whole server closing (our own close).
     */
    @Override
    public void notifyServerShutdown(RoleInfoProto roleInfo, boolean allServer) {
        if (!allServer) {
            removedFromGroup = true;
        }
    }

    /** True once Ratis shut this member down because it is no longer in the group. */
    boolean removedFromGroup() {
        return removedFromGroup;
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pendingEntries) {
        onLeaderEvent.run();
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        // The life cycle must reach RUNNING here: after a snapshot install Ratis asserts that
        // pause() left it PAUSED, which is only possible from RUNNING.
        getLifeCycle().startAndTransition(() -> {
            storage.init(raftStorage);
            load(storage.getLatestSnapshot());
        }, IOException.class);
    }

    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    @Override
    public void reinitialize() throws IOException {
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ApplyResult result;
        synchronized (snapshotLock) {
            try {
                LogBytes.Slice data = LogBytes.slice(entry.getStateMachineLogEntry().getLogData());
                StoreBatch batch = StoreBatch.parser().parseFrom(data.array(), data.offset(), data.length());
                result = store.apply(entry.getIndex(), batch);
            } catch (StoreFormat.TooNew e) {
                LOG.error("{}", e.getMessage());
                throw e;
            } catch (IOException e) {
                // An entry we cannot parse was written by a newer or broken proposer: skip it the same
                // way on every replica rather than stop applying the log.
                result = ApplyResult.newBuilder().setOk(false).setIndex(entry.getIndex())
                        .setError("unreadable log entry: " + e.getMessage()).build();
            }
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        return CompletableFuture.completedFuture(Message.valueOf(LogBytes.wrap(result.toByteArray())));
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        // Nothing reads through Ratis' read-only path: reads wait for an empty entry instead
        // (ReadBarrier says why); an answer with nothing in it for whatever asks.
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public long takeSnapshot() throws IOException {
        StoreSnapshot snapshot;
        TermIndex last;
        synchronized (snapshotLock) {
            last = getLastAppliedTermIndex();
            if (last == null || last.getIndex() <= 0) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            snapshot = store.snapshot();
        }
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        File tmp = new File(target.getParentFile(), target.getName() + ".tmp");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.toPath()))) {
            snapshot.writeTo(out);
        }
        Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
        storage.cleanupOldSnapshots(KEEP_TWO);
        return last.getIndex();
    }

    private void load(SingleFileSnapshotInfo info) throws IOException {
        if (info == null) {
            return;
        }
        File file = info.getFile().getPath().toFile();
        if (!file.exists()) {
            return;
        }
        MD5Hash md5 = info.getFile().getFileDigest();
        if (md5 == null && MD5FileUtil.getDigestFileForFile(file).exists()) {
            md5 = MD5FileUtil.readStoredMd5ForFile(file); // at start Ratis finds the file but reads no digest
        }
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(file, md5);
        }
        TermIndex last = SimpleStateMachineStorage.getTermIndexFromSnapshotFile(file);
        StoreSnapshot snapshot;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file.toPath()))) {
            snapshot = StoreSnapshot.parseFrom(in);
        }
        synchronized (snapshotLock) {
            if (store.appliedIndex() >= last.getIndex()) {
                // a member started again in the same process (its log had failed): the store holds
                // this snapshot's state already and more; replaying skips what it applied
                setLastAppliedTermIndex(last);
                return;
            }
            try {
                store.restore(snapshot);
            } catch (StoreFormat.TooNew e) {
                LOG.error("{} ({})", e.getMessage(), file);
                throw new IOException(e.getMessage(), e);
            }
            setLastAppliedTermIndex(last);
        }
    }
}
