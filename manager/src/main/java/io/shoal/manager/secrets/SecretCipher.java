package io.shoal.manager.secrets;

import com.google.protobuf.ByteString;
import io.shoal.api.Cluster;
import io.shoal.api.Secret;
import io.shoal.manager.ca.KeyEncryption;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Secret values at rest: sealed (AES-256-GCM, bound to the secret's id) with the cluster's data key
 * before they reach the Raft log, opened only to go to the nodes whose tasks use them. The data key
 * is in the cluster object, encrypted with the managers' key-encryption key (each manager keeps
 * that in its data dir, as for the CA key), so no log entry or snapshot holds a value in
 * plaintext, nor the key that opens one. The id binding means a sealed value copied into another
 * secret does not open.
 */
public final class SecretCipher {
    private final byte[] kek;
    /** the data key last opened, with the encrypted form it came from */
    private volatile Opened opened;

    private record Opened(ByteString sealed, byte[] key) {}

    /** @param kek the managers' key-encryption key; null for a manager that must not open secrets (tests) */
    public SecretCipher(byte[] kek) {
        this.kek = kek == null ? null : kek.clone();
    }

    /** A new data key, encrypted with {@code kek}: what a new cluster object holds. */
    public static ByteString newDataKey(byte[] kek) {
        byte[] key = KeyEncryption.newKey();
        try {
            return ByteString.copyFrom(KeyEncryption.encrypt(kek, key));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** {@code c}, given a data key if it has none (a cluster made before secrets were). */
    public Cluster withDataKey(Cluster c) {
        return c.getDataKey().isEmpty() ? c.toBuilder().setDataKey(newDataKey(kek())).build() : c;
    }

    /** {@code plaintext} sealed for the store as the value of secret {@code secretId}. */
    public ByteString seal(Cluster c, String secretId, ByteString plaintext) {
        return ByteString.copyFrom(KeyEncryption.encrypt(dataKey(c), plaintext.toByteArray(), context(secretId)));
    }

    /** An encrypted network's key sealed for the store, bound to the network and the key's id. */
    public ByteString sealNetworkKey(Cluster c, String networkId, int keyId, byte[] key) {
        return ByteString.copyFrom(KeyEncryption.encrypt(dataKey(c), key, networkContext(networkId, keyId)));
    }

    /** The plaintext of a network key {@link #sealNetworkKey} made. */
    public byte[] openNetworkKey(Cluster c, String networkId, int keyId, ByteString sealed) {
        return KeyEncryption.decrypt(dataKey(c), sealed.toByteArray(), networkContext(networkId, keyId));
    }

    /** Whether this manager can open what the store holds (it has the key-encryption key). */
    public boolean canOpen() {
        return kek != null;
    }

    /** The plaintext of a value {@link #seal} made. */
    public ByteString open(Cluster c, String secretId, ByteString sealed) {
        return ByteString.copyFrom(KeyEncryption.decrypt(dataKey(c), sealed.toByteArray(), context(secretId)));
    }

    /** The secret as a node that uses it receives it: its value in plaintext. */
    public Secret reveal(Cluster c, Secret stored) {
        Secret.Builder b = stored.toBuilder();
        b.getSpecBuilder().setData(open(c, stored.getId(), stored.getSpec().getData()));
        return b.build();
    }

    private byte[] dataKey(Cluster c) {
        ByteString sealed = c.getDataKey();
        if (sealed.isEmpty()) {
            throw new IllegalStateException("the cluster has no data key for secrets yet");
        }
        Opened o = opened;
        if (o == null || !o.sealed().equals(sealed)) {
            o = new Opened(sealed, KeyEncryption.decrypt(kek(), sealed.toByteArray()));
            opened = o;
        }
        return o.key();
    }

    private byte[] kek() {
        if (kek == null) {
            throw new IllegalStateException("this manager holds no key-encryption key");
        }
        return kek;
    }

    private static byte[] networkContext(String networkId, int keyId) {
        return ("shoal network key " + networkId + " " + Integer.toUnsignedString(keyId)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] context(String secretId) {
        return ("shoal secret " + secretId).getBytes(StandardCharsets.UTF_8);
    }
}
