package io.shoal.cli.client;

import java.io.ByteArrayOutputStream;

/**
 * HPACK's Huffman code (RFC 7541, Appendix B), decoding only: the client sends its own strings as
 * plain literals. The code is canonical (codes of one length are consecutive, in symbol order), so
 * the table is just each symbol's code length; the codes follow from it.
 */
final class Huffman {
    /** The code length in bits of symbols 0-255 and of EOS (256), from RFC 7541 Appendix B. */
    private static final byte[] LENGTHS = {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    };
    private static final int EOS = 256;
    private static final int MAX_LENGTH = 30;

    /** The symbols ordered by (code length, symbol): the canonical order. */
    private static final int[] SORTED = new int[LENGTHS.length];
    /** For each code length: the first code of that length, and where its symbols start in SORTED. */
    private static final int[] FIRST_CODE = new int[MAX_LENGTH + 1];
    private static final int[] FIRST_INDEX = new int[MAX_LENGTH + 1];
    private static final int[] COUNT = new int[MAX_LENGTH + 1];

    static {
        int n = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            FIRST_INDEX[len] = n;
            for (int s = 0; s < LENGTHS.length; s++) {
                if (LENGTHS[s] == len) {
                    SORTED[n++] = s;
                    COUNT[len]++;
                }
            }
        }
        int code = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            code = (code + COUNT[len - 1]) << 1;
            FIRST_CODE[len] = code;
        }
    }

    private Huffman() {}

    /**
     * Decodes {@code len} bytes of {@code src} from {@code off}. Fails on EOS inside the string, on
     * padding longer than 7 bits, and on padding that is not the most significant bits of EOS (all ones).
     */
    static byte[] decode(byte[] src, int off, int len) throws HpackException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(len * 8 / 5 + 1);
        int code = 0;
        int bits = 0;
        for (int i = off; i < off + len; i++) {
            int b = src[i] & 0xff;
            for (int k = 7; k >= 0; k--) {
                code = (code << 1) | ((b >>> k) & 1);
                bits++;
                int at = code - FIRST_CODE[bits];
                if (at >= 0 && at < COUNT[bits]) {
                    int sym = SORTED[FIRST_INDEX[bits] + at];
                    if (sym == EOS) {
                        throw new HpackException("Huffman string holds EOS");
                    }
                    out.write(sym);
                    code = 0;
                    bits = 0;
                } else if (bits == MAX_LENGTH) {
                    throw new HpackException("invalid Huffman code");
                }
            }
        }
        if (bits > 7 || code != (1 << bits) - 1) {
            throw new HpackException("invalid Huffman padding");
        }
        return out.toByteArray();
    }
}
