package io.shoal.manager.ca;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * A manager's key-encryption key (KEK) as it lies in {@code certs/kek}: plain (32 bytes) while
 * autolock is off, or locked: {@code MAGIC} followed by the KEK encrypted (AES-256-GCM) with a key
 * derived from the unlock key (HMAC-SHA256 of a fixed label under the unlock key: the unlock key
 * is 32 random bytes, so no password stretching is needed). A locked file opens only with the
 * unlock key it was locked with; a wrong key and a tampered file are refused alike.
 */
public final class KekLock {
    private static final byte[] MAGIC = "SHOAL-LOCKED-KEK-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LABEL = "shoal autolock: key-encryption key wrapping".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTEXT = "shoal-locked-kek".getBytes(StandardCharsets.US_ASCII);

    private KekLock() {}

    /** Whether {@code file} holds a locked KEK (else it is the plain KEK). */
    public static boolean isLocked(byte[] file) {
        return file.length >= MAGIC.length && Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** {@code kek} locked under {@code key}: what {@code certs/kek} holds with autolock on. */
    public static byte[] lock(byte[] kek, UnlockKey key) {
        byte[] wrapping = wrappingKey(key);
        try {
            byte[] sealed = KeyEncryption.encrypt(wrapping, kek, CONTEXT);
            byte[] out = Arrays.copyOf(MAGIC, MAGIC.length + sealed.length);
            System.arraycopy(sealed, 0, out, MAGIC.length, sealed.length);
            return out;
        } finally {
            Arrays.fill(wrapping, (byte) 0);
        }
    }

    /**
     * The KEK from a locked {@code file}.
     *
     * @throws CaException "wrong unlock key" when {@code key} is not the one it was locked with, or
     *                     the file was changed
     */
    public static byte[] unlock(byte[] file, UnlockKey key) {
        if (!isLocked(file)) {
            throw new CaException("the key-encryption key is not locked");
        }
        byte[] wrapping = wrappingKey(key);
        try {
            return KeyEncryption.decrypt(wrapping, Arrays.copyOfRange(file, MAGIC.length, file.length), CONTEXT);
        } catch (CaException e) {
            throw new CaException("invalid unlock key: it does not open this manager's key (if the key was rotated while "
                    + "this manager was down, give the previous one)");
        } finally {
            Arrays.fill(wrapping, (byte) 0);
        }
    }

    private static byte[] wrappingKey(UnlockKey key) {
        byte[] k = key.bytes();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(k, "HmacSHA256"));
            return mac.doFinal(LABEL);
        } catch (GeneralSecurityException e) {
            throw new CaException("cannot derive the wrapping key: " + e.getMessage(), e);
        } finally {
            Arrays.fill(k, (byte) 0);
        }
    }
}
