package io.shoal.manager.secrets;

import com.google.protobuf.ByteString;
import io.shoal.api.Annotations;
import io.shoal.api.Cluster;
import io.shoal.api.Secret;
import io.shoal.api.SecretSpec;
import io.shoal.manager.ca.CaException;
import io.shoal.manager.ca.KeyEncryption;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretCipherTest {
    private static final ByteString VALUE = ByteString.copyFromUtf8("correct horse battery staple");
    private final byte[] kek = KeyEncryption.newKey();
    private final SecretCipher cipher = new SecretCipher(kek);
    private final Cluster cluster = cipher.withDataKey(Cluster.newBuilder().setId("c1").build());

    static boolean contains(byte[] haystack, ByteString needle) {
        byte[] n = needle.toByteArray();
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    void aSealedValueHoldsNoPlaintextAndOpensBack() {
        ByteString sealed = cipher.seal(cluster, "s1", VALUE);
        assertFalse(contains(sealed.toByteArray(), VALUE));
        assertEquals(12 + VALUE.size() + 16, sealed.size(), "nonce, ciphertext, tag");
        assertNotEquals(sealed, cipher.seal(cluster, "s1", VALUE), "a fresh nonce each time");
        assertEquals(VALUE, cipher.open(cluster, "s1", sealed));
        Secret shown = cipher.reveal(cluster, Secret.newBuilder().setId("s1").setSpec(SecretSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("db")).setData(sealed)).build());
        assertEquals(VALUE, shown.getSpec().getData());
        assertEquals("db", shown.getSpec().getAnnotations().getName());
    }

    @Test
    void theDataKeyIsStoredOnlyEncryptedWithTheKek() {
        byte[] stored = cluster.getDataKey().toByteArray();
        assertEquals(12 + 32 + 16, stored.length);
        byte[] key = KeyEncryption.decrypt(kek, stored);
        assertEquals(32, key.length);
        ByteString sealed = cipher.seal(cluster, "s1", VALUE);
        assertFalse(contains(cluster.toByteArray(), ByteString.copyFrom(key)), "the cluster object never holds the key in clear");
        assertEquals(VALUE.toString(StandardCharsets.UTF_8),
                new String(KeyEncryption.decrypt(key, sealed.toByteArray(), "shoal secret s1".getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8));
        assertSame(cluster, cipher.withDataKey(cluster), "a cluster keeps the data key it has");
    }

    @Test
    void aValueOpensOnlyAsItsOwnSecretAndOnlyWithTheClustersKek() {
        ByteString sealed = cipher.seal(cluster, "s1", VALUE);
        assertThrows(CaException.class, () -> cipher.open(cluster, "s2", sealed), "moved into another secret");
        SecretCipher stranger = new SecretCipher(KeyEncryption.newKey());
        assertThrows(CaException.class, () -> stranger.open(cluster, "s1", sealed), "another cluster's kek");
        byte[] flipped = sealed.toByteArray();
        flipped[20] ^= 1;
        assertThrows(CaException.class, () -> cipher.open(cluster, "s1", ByteString.copyFrom(flipped)), "tampered");
        Cluster other = cipher.withDataKey(Cluster.newBuilder().setId("c2").build());
        assertThrows(CaException.class, () -> cipher.open(other, "s1", sealed), "another data key");
        assertThrows(IllegalStateException.class, () -> new SecretCipher(null).open(cluster, "s1", sealed));
        assertTrue(cipher.open(cluster, "s1", sealed).equals(VALUE), "and the right one still opens after the failures");
    }
}
