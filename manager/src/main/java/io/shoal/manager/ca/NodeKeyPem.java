package io.shoal.manager.ca;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;

/**
 * A node's TLS private key as its file ({@code certs/node-key.pem}) holds it: plain PKCS#8 PEM
 * ({@code PRIVATE KEY}) on a worker and on a manager while autolock is off; sealed under the
 * manager's key-encryption key (KEK) while autolock is on: a {@code SHOAL SEALED PRIVATE KEY} PEM
 * block whose body is the PKCS#8 DER encrypted with AES-256-GCM under the KEK (random 12-byte nonce
 * first, the tag last), bound to a fixed context so no other value sealed with the KEK passes for
 * it. Docker writes {@code ENCRYPTED PRIVATE KEY} with headers; ours is authenticated and holds
 * nothing but the sealed key. Since the KEK is what the unlock key locks, rotating the unlock key
 * leaves this file as it is.
 */
public final class NodeKeyPem {
    static final String SEALED = "SHOAL SEALED PRIVATE KEY";
    private static final byte[] CONTEXT = "shoal-node-key".getBytes(StandardCharsets.US_ASCII);

    private NodeKeyPem() {}

    /** {@code key} as the file holds it: sealed under {@code kek}, or plain when {@code kek} is null. */
    public static String encode(PrivateKey key, byte[] kek) {
        if (kek == null) {
            return Pem.encode(key);
        }
        byte[] der = key.getEncoded();
        try {
            return Pem.block(SEALED, KeyEncryption.encrypt(kek, der, CONTEXT));
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** Whether {@code pem} holds a sealed key (else a plain one). */
    public static boolean isSealed(String pem) {
        return !Pem.blocks(pem, SEALED).isEmpty();
    }

    /**
     * The key in {@code pem}, opened with {@code kek} when it is sealed.
     *
     * @throws CaException when it is sealed and {@code kek} is null or not the one it was sealed
     *                     under (or the file was changed), or it holds no key
     */
    public static PrivateKey parse(String pem, byte[] kek) {
        List<byte[]> sealed = Pem.blocks(pem, SEALED);
        if (sealed.isEmpty()) {
            return Pem.parsePrivateKey(pem);
        }
        if (kek == null) {
            throw new CaException("this node's TLS key is sealed under its key-encryption key (autolock): unlock the node first");
        }
        byte[] der;
        try {
            der = KeyEncryption.decrypt(kek, sealed.get(0), CONTEXT);
        } catch (CaException e) {
            throw new CaException("this node's TLS key does not open with its key-encryption key: the key file is damaged "
                    + "or sealed under another cluster's key");
        }
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new CaException("not a valid EC private key: " + e.getMessage());
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }
}
