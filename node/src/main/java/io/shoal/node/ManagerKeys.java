package io.shoal.node;

import com.google.protobuf.ByteString;
import io.shoal.api.Cluster;
import io.shoal.manager.ca.KekLock;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.manager.security.UnlockKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Optional;

/**
 * This manager's key-encryption key (KEK), which opens the CA key and the secrets' data key in the
 * store: on disk in {@code certs/kek}, plain while autolock is off and locked under the unlock key
 * while it is on ({@link KekLock}); in memory once known (read plain, unlocked by the user, or
 * received when the node became a manager). A manager whose file is locked starts locked and waits
 * for {@link #unlock}. {@link #follow} keeps the file as the cluster object says (the current unlock
 * key, or plain), so rotation and autolock on/off reach every manager through the store.
 */
final class ManagerKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerKeys.class);

    private final NodeFiles files;
    /** the KEK once known in this process; null while locked or not yet read */
    private byte[] kek;
    /** the sealed unlock key (empty: plain) the file was last written for by {@link #follow}; null: not since start */
    private ByteString applied;

    ManagerKeys(NodeFiles files) {
        this.files = files;
    }

    /** Whether the KEK on disk is locked and has not been unlocked in this process. */
    synchronized boolean locked() throws IOException {
        return kek == null && Files.exists(files.kek()) && KekLock.isLocked(files.loadKek());
    }

    /** The KEK, read from the (plain) file the first time. */
    synchronized byte[] kek() throws IOException {
        if (kek == null) {
            byte[] f = files.loadKek();
            if (KekLock.isLocked(f)) {
                throw new IllegalStateException(Refusal.LOCKED);
            }
            kek = f;
        }
        return kek.clone();
    }

    /**
     * Opens the locked file with {@code key}; the file is not changed.
     *
     * @throws io.shoal.manager.ca.CaException when {@code key} does not open it (nothing changes)
     */
    synchronized void unlock(UnlockKey key) throws IOException {
        kek = KekLock.unlock(files.loadKek(), key);
        applied = null;
    }

    /** A KEK this node was given (init, join or promotion as a manager), locked under {@code lockWith} if not null. */
    synchronized void save(byte[] next, UnlockKey lockWith) throws IOException {
        files.saveKek(lockWith == null ? next : KekLock.lock(next, lockWith));
        kek = next.clone();
        applied = null;
    }

    /** Forgets the KEK (demotion, leave). */
    synchronized void forget() throws IOException {
        Files.deleteIfExists(files.kek());
        if (kek != null) {
            Arrays.fill(kek, (byte) 0);
        }
        kek = null;
        applied = null;
    }

    /**
     * Keeps {@code certs/kek} as {@code c} says: locked under its unlock key while autolock is on,
     * plain while it is off. Rewrites the file (atomically) only when that changed since the last call.
     */
    synchronized void follow(Cluster c) throws IOException {
        if (kek == null) {
            return;
        }
        ByteString want = c.getSpec().getAutolock() ? c.getUnlockKey() : ByteString.EMPTY;
        if (want.equals(applied)) {
            return;
        }
        Optional<UnlockKey> key = UnlockKeys.current(kek, c);
        files.saveKek(key.isPresent() ? KekLock.lock(kek, key.get()) : kek);
        if (applied != null) {
            LOG.info(key.isPresent() ? "this manager's key-encryption key is now locked under the cluster's current unlock key"
                    : "autolock is off: this manager's key-encryption key is kept plain in {}", files.kek());
        }
        applied = want;
    }
}
