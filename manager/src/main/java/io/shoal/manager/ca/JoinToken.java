package io.shoal.manager.ca;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * A join token: {@code SHTKN-1-<root CA digest, 64 hex>-<secret, 32 base-36 chars>}. The digest lets
 * a joining node verify the CA it downloads; the secret proves it may join and decides its role.
 */
public record JoinToken(String caDigest, String secret) {
    private static final String PREFIX = "SHTKN";
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String FORMAT = "invalid join token: expected SHTKN-1-<digest>-<secret>";

    public static JoinToken generate(String caDigest, SecureRandom random) {
        StringBuilder s = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return new JoinToken(caDigest, s.toString());
    }

    public static JoinToken parse(String token) {
        if (token == null || token.isBlank()) {
            throw new CaException("invalid join token: the token is empty");
        }
        String[] parts = token.trim().split("-", -1);
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new CaException(FORMAT);
        }
        if (!parts[1].equals("1")) {
            throw new CaException("invalid join token: unsupported version " + parts[1]);
        }
        if (!parts[2].matches("[0-9a-f]{64}")) {
            throw new CaException("invalid join token: CA digest must be 64 hex characters");
        }
        if (!parts[3].matches("[0-9a-z]{32}")) {
            throw new CaException("invalid join token: the secret must be 32 characters of [0-9a-z]");
        }
        return new JoinToken(parts[2], parts[3]);
    }

    /** Compares the whole presented token with this one in constant time. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(toString()), sha256(presented.trim()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return PREFIX + "-1-" + caDigest + "-" + secret;
    }
}
