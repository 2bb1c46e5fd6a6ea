package io.shoal.manager.security;

import com.google.protobuf.ByteString;
import io.shoal.api.Cluster;
import io.shoal.api.UnlockKeyResponse;
import io.shoal.manager.ca.CaException;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's unlock key (autolock) in the store: {@code Cluster.unlock_key} holds it sealed with
 * the managers' key-encryption key (KEK), bound to the cluster id, so no Raft entry or snapshot holds
 * it in plaintext, and only a manager that holds the KEK (an unlocked one) can read it. Each manager
 * follows it to keep its own {@code certs/kek} locked under the current key (the node's
 * {@code ManagerKeys}).
 */
public final class UnlockKeys {
    public static final String NOT_ENABLED = "autolock is not enabled on this cluster: turn it on with 'shoal cluster update --autolock=true'";

    private final ClusterStore store;
    private final StoreWriter writer;
    private final byte[] kek;
    private final SecureRandom random;

    /** @param kek the managers' key-encryption key; null for a manager without one (tests): every call is refused */
    public UnlockKeys(ClusterStore store, StoreWriter writer, byte[] kek, SecureRandom random) {
        this.store = store;
        this.writer = writer;
        this.kek = kek == null ? null : kek.clone();
        this.random = random;
    }

    private byte[] kek() {
        if (kek == null) {
            throw Calls.precondition("this manager holds no key-encryption key: it cannot read or change the unlock key");
        }
        return kek;
    }

    /** {@code key} as {@code Cluster.unlock_key} holds it for cluster {@code clusterId}. */
    public static ByteString seal(byte[] kek, String clusterId, UnlockKey key) {
        return ByteString.copyFrom(KeyEncryption.encrypt(kek, key.bytes(), context(clusterId)));
    }

    /** The unlock key of {@code c}, empty while autolock is off. */
    public static Optional<UnlockKey> current(byte[] kek, Cluster c) {
        return c.getSpec().getAutolock() ? open(kek, c.getId(), c.getUnlockKey()) : Optional.empty();
    }

    /**
     * The unlock key {@code sealed} holds as {@link #seal} made it for cluster {@code clusterId}
     * ({@code Cluster.unlock_key}, or what a new manager is issued with its KEK); empty when it is empty.
     *
     * @throws CaException when {@code kek} does not open it
     */
    public static Optional<UnlockKey> open(byte[] kek, String clusterId, ByteString sealed) {
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(UnlockKey.of(KeyEncryption.decrypt(kek, sealed.toByteArray(), context(clusterId))));
    }

    private static byte[] context(String clusterId) {
        return ("shoal-unlock-key:" + clusterId).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code c} with autolock on (its key kept, or a new one) or off (no key left in the store). */
    public Cluster withAutolock(Cluster c, boolean on) {
        Cluster.Builder b = c.toBuilder();
        b.getSpecBuilder().setAutolock(on);
        if (!on) {
            b.clearUnlockKey();
        } else if (c.getUnlockKey().isEmpty()) {
            b.setUnlockKey(seal(kek(), c.getId(), UnlockKey.generate(random)));
        }
        return b.build();
    }

    /** The unlock key ({@code shoal unlock-key}); empty while autolock is off. */
    public UnlockKeyResponse get() {
        Cluster c = store.view(tx -> tx.cluster()).orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
        return UnlockKeyResponse.newBuilder().setUnlockKey(open(c).map(UnlockKey::toString).orElse("")).build();
    }

    /** A new unlock key ({@code shoal unlock-key --rotate}); refused while autolock is off. */
    public UnlockKeyResponse rotate() {
        UnlockKey next = UnlockKey.generate(random);
        writer.update(tx -> {
            Cluster c = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
            if (!c.getSpec().getAutolock()) {
                throw Calls.precondition(NOT_ENABLED);
            }
            return List.of(Batches.update(StoreObjects.wrap(c.toBuilder().setUnlockKey(seal(kek(), c.getId(), next)).build())));
        });
        return UnlockKeyResponse.newBuilder().setUnlockKey(next.toString()).build();
    }

    private Optional<UnlockKey> open(Cluster c) {
        try {
            return current(kek(), c);
        } catch (CaException e) {
            throw Calls.precondition("this manager cannot open the cluster's unlock key: " + e.getMessage());
        }
    }
}
