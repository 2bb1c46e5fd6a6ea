package io.shoal.manager.ca;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KekLockTest {
    private final SecureRandom random = new SecureRandom();
    private final byte[] kek = KeyEncryption.newKey();
    private final UnlockKey key = UnlockKey.generate(random);

    @Test
    void aLockedKekOpensWithItsKeyAndHoldsNoPlaintext() {
        byte[] file = KekLock.lock(kek, key);
        assertTrue(KekLock.isLocked(file));
        assertFalse(KekLock.isLocked(kek), "a plain kek is not taken for a locked one");
        assertFalse(contains(file, kek), "the locked file holds the kek in plaintext");
        assertArrayEquals(kek, KekLock.unlock(file, key));
        assertArrayEquals(kek, KekLock.unlock(file, UnlockKey.parse(key.toString())), "the key as the user types it");
    }

    @Test
    void aWrongKeyIsRefusedWithOneLine() {
        byte[] file = KekLock.lock(kek, key);
        CaException e = assertThrows(CaException.class, () -> KekLock.unlock(file, UnlockKey.generate(random)));
        assertTrue(e.getMessage().startsWith("invalid unlock key"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aTamperedFileIsRefused() {
        byte[] file = KekLock.lock(kek, key);
        for (int i = 19; i < file.length; i += 7) { // every part after the magic: nonce, ciphertext, tag
            byte[] t = file.clone();
            t[i] ^= 1;
            assertThrows(CaException.class, () -> KekLock.unlock(t, key), "byte " + i + " flipped");
        }
        assertThrows(CaException.class, () -> KekLock.unlock(Arrays.copyOf(file, file.length - 1), key), "truncated");
        assertThrows(CaException.class, () -> KekLock.unlock(kek, key), "a plain kek is not unlocked");
    }

    @Test
    void afterARotationTheFileOpensWithTheNewKeyOnlyAndAnOldFileStillWithTheOldKey() {
        byte[] before = KekLock.lock(kek, key);
        UnlockKey next = UnlockKey.generate(random);
        byte[] after = KekLock.lock(kek, next);
        assertArrayEquals(kek, KekLock.unlock(after, next));
        assertThrows(CaException.class, () -> KekLock.unlock(after, key));
        // a manager that was down during the rotation still holds the file locked under the old key
        assertArrayEquals(kek, KekLock.unlock(before, key));
        assertThrows(CaException.class, () -> KekLock.unlock(before, next));
    }

    @Test
    void unlockKeysReadAsDockerPrintsThem() {
        String text = key.toString();
        assertTrue(text.matches("SWMKEY-1-[A-Za-z0-9+/]{43}"), text);
        assertEquals(key, UnlockKey.parse(text));
        assertEquals(key, UnlockKey.parse("  " + text + "=\n"), "padded and surrounded by blanks");
        for (String bad : new String[] {"", "SWMKEY-1-", "SWMKEY-2-" + text.substring(9), "SWMKEY-1-!!!notbase64",
                "SWMKEY-1-" + text.substring(9, 30), "SHTKN-1-abc-def"}) {
            CaException e = assertThrows(CaException.class, () -> UnlockKey.parse(bad), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertFalse(e.getMessage().contains(text.substring(12)), "the message repeats a key: " + e.getMessage());
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return true;
            }
        }
        return false;
    }
}
