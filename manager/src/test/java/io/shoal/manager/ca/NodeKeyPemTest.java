package io.shoal.manager.ca;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeKeyPemTest {
    private final PrivateKey key = NodeKeys.generate().getPrivate();
    private final byte[] kek = KeyEncryption.newKey();

    /** Whether {@code file} holds {@code key} in any plain form: PKCS#8 DER, its base64 (PEM body), or the private scalar. */
    static boolean holdsPlaintext(String file, PrivateKey key) {
        byte[] bytes = file.getBytes(StandardCharsets.ISO_8859_1);
        byte[] der = key.getEncoded();
        String b64 = Base64.getEncoder().encodeToString(der);
        byte[] s = ((ECPrivateKey) key).getS().toByteArray();
        byte[] scalar = Arrays.copyOfRange(s, Math.max(0, s.length - 32), s.length);
        return indexOf(bytes, der) >= 0 || indexOf(bytes, scalar) >= 0
                || file.replaceAll("\\s", "").contains(b64.substring(0, 40)) || file.contains("-----BEGIN PRIVATE KEY-----");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void aSealedKeyOpensWithItsKekAndHoldsNoPlaintext() {
        String sealed = NodeKeyPem.encode(key, kek);
        assertTrue(NodeKeyPem.isSealed(sealed));
        assertTrue(sealed.startsWith("-----BEGIN SHOAL SEALED PRIVATE KEY-----\n"), sealed);
        assertFalse(holdsPlaintext(sealed, key), sealed);
        assertThrows(CaException.class, () -> Pem.parsePrivateKey(sealed), "a sealed key parses as a plain one");
        assertEquals(key, NodeKeyPem.parse(sealed, kek));
        assertNotEquals(sealed, NodeKeyPem.encode(key, kek), "the nonce is not random");
    }

    @Test
    void aPlainKeyIsPkcs8PemAndParsesWithOrWithoutAKek() {
        String plain = NodeKeyPem.encode(key, null);
        assertFalse(NodeKeyPem.isSealed(plain));
        assertTrue(holdsPlaintext(plain, key), "the check finds nothing even in a plain key: it could never fail");
        assertEquals(key, Pem.parsePrivateKey(plain));
        assertEquals(key, NodeKeyPem.parse(plain, null));
        assertEquals(key, NodeKeyPem.parse(plain, kek));
    }

    @Test
    void aWrongOrMissingKekAndATamperedFileAreRefusedWithOneLine() {
        String sealed = NodeKeyPem.encode(key, kek);
        CaException wrong = assertThrows(CaException.class, () -> NodeKeyPem.parse(sealed, KeyEncryption.newKey()));
        assertTrue(wrong.getMessage().contains("does not open with its key-encryption key"), wrong.getMessage());
        CaException none = assertThrows(CaException.class, () -> NodeKeyPem.parse(sealed, null));
        assertTrue(none.getMessage().contains("unlock the node first"), none.getMessage());
        for (CaException e : new CaException[] {wrong, none}) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        String body = sealed.split("\n")[1];
        char flipped = body.charAt(10) == 'A' ? 'B' : 'A';
        String tampered = sealed.replace(body, body.substring(0, 10) + flipped + body.substring(11));
        assertThrows(CaException.class, () -> NodeKeyPem.parse(tampered, kek));
    }

    @Test
    void aKeySealedWithTheKekDoesNotPassForAnotherValueSealedWithIt() {
        // the unlock key and the CA key are sealed with the same KEK under other contexts
        byte[] other = KeyEncryption.encrypt(kek, key.getEncoded());
        String forged = Pem.block(NodeKeyPem.SEALED, other);
        assertThrows(CaException.class, () -> NodeKeyPem.parse(forged, kek));
    }
}
