package io.shoal.node;

import com.google.protobuf.ByteString;
import io.shoal.api.Cluster;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.NodeRole;
import io.shoal.manager.ca.KekLock;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.manager.security.UnlockKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Optional;

/**
 * This manager's key-encryption key (KEK), which opens the CA key and the secrets' data key in the
 * store and this node's TLS key on disk: in {@code certs/kek}, plain while autolock is off and locked
 * under the unlock key while it is on ({@link KekLock}); in memory once known (read plain, unlocked
 * by the user, or received when the node became a manager). A manager whose file is locked starts
 * locked and waits for {@link #unlock}. {@link #follow} keeps the file as the cluster object says
 * (the current unlock key, or plain), so rotation and autolock on/off reach every manager through
 * the store.
 *
 * <p>The TLS key ({@code certs/node-key.pem}) is sealed under the KEK exactly while the KEK file is
 * locked: every write of it goes through here (new identities, renewals, autolock on and off), one
 * at a time, and the two files change in the order that never leaves a plain TLS key beside a
 * locked KEK. Rotating the unlock key re-locks the KEK only.
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

    /**
     * A manager's new identity and KEK (init, join, promotion): with {@code lockWith} (autolock) the
     * KEK is locked and the TLS key sealed from the first write on. The KEK comes first: a crash in
     * between leaves the node's previous identity, which the restarted node replaces again.
     */
    synchronized void saveManager(PrivateKey key, String certPem, String caPem, byte[] next, UnlockKey lockWith) throws IOException {
        save(next, lockWith);
        files.saveIdentity(key, certPem, caPem, lockWith == null ? null : next);
    }

    /**
     * The identity (and, for a manager, the KEK) a node is issued when it joins or changes role. A
     * manager of a cluster with autolock on is issued the unlock key sealed with the KEK, so its files
     * are locked at once; a worker keeps no KEK.
     */
    synchronized void adopt(PrivateKey key, IssueNodeCertificateResponse resp) throws IOException {
        if (resp.getRole() != NodeRole.NODE_ROLE_MANAGER) {
            files.saveIdentity(key, resp.getCertPem(), resp.getCaCertPem(), null);
            forget();
            return;
        }
        byte[] next = resp.getKek().toByteArray();
        UnlockKey lockWith = UnlockKeys.open(next, resp.getClusterId(), resp.getUnlockKey()).orElse(null);
        saveManager(key, resp.getCertPem(), resp.getCaCertPem(), next, lockWith);
    }

    /**
     * A renewed key pair (certificate renewal, root rotation): the key sealed while the KEK file is
     * locked, plain otherwise (always on a worker).
     */
    synchronized void savePair(PrivateKey key, String certPem) throws IOException {
        files.savePair(key, certPem, sealing());
    }

    /** The KEK when the TLS key is to be sealed (the KEK file is locked), else null. */
    private byte[] sealing() throws IOException {
        return kek != null && Files.exists(files.kek()) && KekLock.isLocked(files.loadKek()) ? kek : null;
    }

    /**
     * The KEK if this node can read it (in memory, or a plain file), else null: a worker, or a locked
     * manager. What opens the TLS key.
     */
    synchronized byte[] known() throws IOException {
        if (kek == null && Files.exists(files.kek())) {
            byte[] f = files.loadKek();
            if (!KekLock.isLocked(f)) {
                kek = f;
            }
        }
        return kek == null ? null : kek.clone();
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
     * plain while it is off, and the TLS key sealed or plain with it. Rewrites the files (each
     * atomically) only when that changed since the last call; the TLS key is sealed before the KEK
     * is locked and made plain after the KEK is, so a crash in between leaves both readable.
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
        if (key.isPresent()) {
            files.resealKey(kek, true);
            files.saveKek(KekLock.lock(kek, key.get()));
        } else {
            files.saveKek(kek);
            files.resealKey(kek, false);
        }
        if (applied != null) {
            LOG.info(key.isPresent() ? "this manager's key-encryption key is now locked under the cluster's current unlock key (its TLS key sealed)"
                    : "autolock is off: this manager's key-encryption key and TLS key are kept plain in {}", files.kek());
        }
        applied = want;
    }
}
