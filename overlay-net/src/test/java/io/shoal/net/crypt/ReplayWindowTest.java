package io.shoal.net.crypt;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplayWindowTest {
    private static boolean offer(ReplayWindow w, long c) {
        if (!w.check(c)) {
            return false;
        }
        w.accept(c);
        return true;
    }

    @Test
    void eachCounterOnceWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(offer(w, 5));
        assertFalse(offer(w, 5));
        assertTrue(offer(w, 3));
        assertFalse(offer(w, 3));
        assertTrue(offer(w, 6));
        assertTrue(offer(w, 4));
        assertFalse(offer(w, 4));
    }

    @Test
    void tooOldIsRefusedAndAJumpClearsTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(offer(w, 10));
        assertTrue(offer(w, 10 + ReplayWindow.SIZE));
        assertFalse(offer(w, 10), "older than the window");
        assertTrue(offer(w, 11), "within the window, not seen");
        assertTrue(offer(w, 5_000_000));
        assertTrue(offer(w, 5_000_000 - ReplayWindow.SIZE + 1), "the oldest still in the window");
        assertFalse(offer(w, 5_000_000 - ReplayWindow.SIZE), "just outside");
        assertFalse(offer(w, -1));
    }
}
