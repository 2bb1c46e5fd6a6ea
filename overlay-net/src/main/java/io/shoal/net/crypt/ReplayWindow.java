package io.shoal.net.crypt;

import java.util.Arrays;

/**
 * Anti-replay for one sender's counter, as IPsec's (RFC 4303, appendix A): a counter is accepted
 * once, if it is newer than the highest seen or within the last {@value #SIZE} of it. Not thread safe.
 */
final class ReplayWindow {
    static final int SIZE = 1024;
    private final long[] bits = new long[SIZE / 64];
    /** the highest counter accepted, or -1 */
    private long top = -1;

    /** Whether {@code counter} may be accepted (not a replay, not too old), without recording it. */
    boolean check(long counter) {
        if (counter < 0) {
            return false;
        }
        if (counter > top) {
            return true;
        }
        long age = top - counter;
        return age < SIZE && !get(counter);
    }

    /** Records {@code counter} as seen; call only after {@link #check} said yes and the packet opened. */
    void accept(long counter) {
        if (counter > top) {
            long shift = top < 0 ? SIZE : counter - top;
            if (shift >= SIZE) {
                Arrays.fill(bits, 0);
            } else {
                for (long c = top + 1; c <= counter; c++) {
                    clear(c);
                }
            }
            top = counter;
        }
        set(counter);
    }

    private boolean get(long c) {
        int i = (int) (c % SIZE);
        return (bits[i >>> 6] & (1L << (i & 63))) != 0;
    }

    private void set(long c) {
        int i = (int) (c % SIZE);
        bits[i >>> 6] |= 1L << (i & 63);
    }

    private void clear(long c) {
        int i = (int) (c % SIZE);
        bits[i >>> 6] &= ~(1L << (i & 63));
    }
}
