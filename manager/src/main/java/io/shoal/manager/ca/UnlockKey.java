package io.shoal.manager.ca;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * The key that unlocks a manager's key-encryption key (autolock), in docker's text form
 * {@code SWMKEY-1-<base64 of 32 random bytes>} (unpadded, as docker prints it; padded is accepted).
 */
public final class UnlockKey {
    static final String PREFIX = "SWMKEY-1-";
    private static final int LENGTH = 32;

    private final byte[] bytes;

    private UnlockKey(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    public static UnlockKey generate(SecureRandom random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new UnlockKey(b);
    }

    public static UnlockKey of(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new CaException("an unlock key has " + LENGTH + " bytes, not " + bytes.length);
        }
        return new UnlockKey(bytes);
    }

    /** Parses {@code SWMKEY-1-...}; a malformed text is refused with one line that says what a key looks like. */
    public static UnlockKey parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            throw new CaException("no unlock key given: provide the key 'shoal init --autolock' or 'shoal unlock-key' printed (SWMKEY-1-...)");
        }
        if (!t.startsWith(PREFIX)) {
            throw new CaException("'" + abbreviate(t) + "' is not an unlock key: it starts with " + PREFIX);
        }
        byte[] b;
        try {
            b = Base64.getDecoder().decode(t.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new CaException("'" + abbreviate(t) + "' is not an unlock key: " + PREFIX + " is followed by base64");
        }
        if (b.length != LENGTH) {
            throw new CaException("'" + abbreviate(t) + "' is not an unlock key: it holds " + b.length + " bytes, not " + LENGTH);
        }
        return new UnlockKey(b);
    }

    private static String abbreviate(String t) {
        return t.length() <= 16 ? t : t.substring(0, 12) + "...";
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnlockKey k && MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The key as the user types it. */
    @Override
    public String toString() {
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(bytes);
    }
}
