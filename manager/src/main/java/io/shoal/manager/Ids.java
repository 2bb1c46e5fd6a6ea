package io.shoal.manager;

import java.security.SecureRandom;

/** Object ids: 25 random base-36 characters (about 128 bits), like swarmkit's. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final char[] DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final int LENGTH = 25;
    private Ids() {}

    /**
     * Each character is one uniform base-36 digit, drawn from a random byte below 252 (7 x 36, so
     * none is likelier than another): no big-number arithmetic for the thousands of ids a
     * deployment creates.
     */
    public static String newId() {
        char[] id = new char[LENGTH];
        byte[] b = new byte[32];
        int n = 0;
        while (n < LENGTH) {
            RANDOM.nextBytes(b);
            for (int i = 0; i < b.length && n < LENGTH; i++) {
                int v = b[i] & 0xFF;
                if (v < 252) {
                    id[n++] = DIGITS[v % 36];
                }
            }
        }
        return new String(id);
    }
}
