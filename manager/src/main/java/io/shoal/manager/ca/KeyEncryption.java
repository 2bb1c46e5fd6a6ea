package io.shoal.manager.ca;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/** AES-256-GCM for secrets kept at rest in the Raft store; a random 12-byte nonce prefixes the ciphertext. */
public final class KeyEncryption {
    private static final SecureRandom RANDOM = new SecureRandom();

    private KeyEncryption() {}

    public static byte[] newKey() {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        return k;
    }

    public static byte[] encrypt(byte[] key, byte[] plaintext) {
        return encrypt(key, plaintext, null);
    }

    /**
     * As {@link #encrypt(byte[], byte[])}, bound to {@code context} (authenticated, not stored): the
     * result decrypts only with the same context, so a sealed value cannot be passed off as another.
     */
    public static byte[] encrypt(byte[] key, byte[] plaintext, byte[] context) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            if (context != null) {
                c.updateAAD(context);
            }
            byte[] ct = c.doFinal(plaintext);
            return ByteBuffer.allocate(nonce.length + ct.length).put(nonce).put(ct).array();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CaException("cannot encrypt: " + e.getMessage(), e);
        }
    }

    public static byte[] decrypt(byte[] key, byte[] data) {
        return decrypt(key, data, null);
    }

    /** Decrypts what {@link #encrypt(byte[], byte[], byte[])} made with the same context. */
    public static byte[] decrypt(byte[] key, byte[] data, byte[] context) {
        if (data == null || data.length < 12 + 16) {
            throw new CaException("cannot decrypt: wrong key or corrupted data");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, data, 0, 12));
            if (context != null) {
                c.updateAAD(context);
            }
            return c.doFinal(data, 12, data.length - 12);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CaException("cannot decrypt: wrong key or corrupted data");
        }
    }
}
