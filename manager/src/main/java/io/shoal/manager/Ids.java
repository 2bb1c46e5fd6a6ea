package io.shoal.manager;

import java.math.BigInteger;
import java.security.SecureRandom;

/** Object ids: 25 random base-36 characters (about 128 bits), like swarmkit's. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String s = new BigInteger(1, b).toString(36);
        return "0".repeat(Math.max(0, 25 - s.length())) + s.substring(Math.max(0, s.length() - 25));
    }
}
