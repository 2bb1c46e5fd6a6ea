package io.shoal.cli.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * HPACK (RFC 7541) as the light client needs it. Decoding is complete: indexed fields, literals with
 * and without indexing, Huffman strings and dynamic table size updates, with a dynamic table (the
 * client asks for none with SETTINGS_HEADER_TABLE_SIZE 0, but a server may use the default 4096
 * octets until it has seen that setting). Encoding sends indexed static entries and plain literals
 * that are never added to a table, so the server's decoder table stays empty.
 */
final class Hpack {
    /** RFC 7541 Appendix A: the static table, index 1 first. */
    private static final String[][] STATIC = {
        {":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
        {":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
        {":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
        {"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
        {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""}, {"cache-control", ""},
        {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""}, {"content-length", ""},
        {"content-location", ""}, {"content-range", ""}, {"content-type", ""}, {"cookie", ""}, {"date", ""},
        {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""}, {"if-match", ""},
        {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""}, {"if-unmodified-since", ""},
        {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""}, {"proxy-authenticate", ""},
        {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""}, {"retry-after", ""},
        {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""}, {"transfer-encoding", ""},
        {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
    };
    /** Static indexes the encoder uses. */
    static final int METHOD_POST = 3;
    static final int SCHEME_HTTP = 6;
    static final int AUTHORITY = 1;
    static final int PATH = 4;
    static final int CONTENT_TYPE = 31;
    static final int USER_AGENT = 58;

    /** A decoded header field. */
    record Field(String name, String value) {}

    /** The decoder's state: its dynamic table (newest first) and the limits on it. */
    static final class Decoder {
        private final ArrayDeque<Field> table = new ArrayDeque<>();
        private final int maxAllowed;
        private int maxSize;
        private int size;

        /** {@code maxAllowed}: the most a size update may ask for (the largest SETTINGS_HEADER_TABLE_SIZE in force). */
        Decoder(int maxAllowed) {
            this.maxAllowed = maxAllowed;
            this.maxSize = maxAllowed;
        }

        List<Field> decode(byte[] block, int off, int len) throws HpackException {
            List<Field> fields = new ArrayList<>();
            int[] pos = {off};
            int end = off + len;
            boolean fieldSeen = false;
            while (pos[0] < end) {
                int b = block[pos[0]] & 0xff;
                if ((b & 0x80) != 0) {
                    fields.add(entry(integer(block, pos, end, 7)));
                    fieldSeen = true;
                } else if ((b & 0xc0) == 0x40) {
                    Field f = literal(block, pos, end, 6);
                    add(f);
                    fields.add(f);
                    fieldSeen = true;
                } else if ((b & 0xe0) == 0x20) {
                    if (fieldSeen) {
                        throw new HpackException("dynamic table size update after a header field");
                    }
                    int s = integer(block, pos, end, 5);
                    if (s > maxAllowed) {
                        throw new HpackException("dynamic table size update to " + s + " over the limit of " + maxAllowed);
                    }
                    maxSize = s;
                    evict();
                } else {
                    fields.add(literal(block, pos, end, 4));
                    fieldSeen = true;
                }
            }
            return fields;
        }

        int tableSize() {
            return size;
        }

        private Field entry(int index) throws HpackException {
            if (index <= 0) {
                throw new HpackException("header index 0");
            }
            if (index <= STATIC.length) {
                return new Field(STATIC[index - 1][0], STATIC[index - 1][1]);
            }
            int d = index - STATIC.length - 1;
            if (d >= table.size()) {
                throw new HpackException("header index " + index + " is past the dynamic table");
            }
            var it = table.iterator();
            for (int i = 0; i < d; i++) {
                it.next();
            }
            return it.next();
        }

        private Field literal(byte[] block, int[] pos, int end, int prefix) throws HpackException {
            int index = integer(block, pos, end, prefix);
            String name = index == 0 ? string(block, pos, end) : entry(index).name();
            return new Field(name, string(block, pos, end));
        }

        private void add(Field f) {
            int s = entrySize(f);
            table.addFirst(f);
            size += s;
            evict();
        }

        private void evict() {
            while (size > maxSize && !table.isEmpty()) {
                size -= entrySize(table.removeLast());
            }
        }

        private static int entrySize(Field f) {
            return f.name().getBytes(StandardCharsets.ISO_8859_1).length + f.value().getBytes(StandardCharsets.ISO_8859_1).length + 32;
        }
    }

    private Hpack() {}

    /** An integer with an N-bit prefix (RFC 7541, 5.1), starting at pos[0]; moves pos[0] past it. */
    static int integer(byte[] b, int[] pos, int end, int prefix) throws HpackException {
        int mask = (1 << prefix) - 1;
        int v = b[pos[0]++] & mask;
        if (v < mask) {
            return v;
        }
        int shift = 0;
        while (true) {
            if (pos[0] >= end) {
                throw new HpackException("truncated integer");
            }
            int c = b[pos[0]++] & 0xff;
            if (shift > 21) {
                throw new HpackException("integer too large");
            }
            v += (c & 0x7f) << shift;
            shift += 7;
            if ((c & 0x80) == 0) {
                return v;
            }
        }
    }

    /** A string literal (RFC 7541, 5.2), plain or Huffman-coded, as ISO-8859-1 (header bytes one to one). */
    private static String string(byte[] b, int[] pos, int end) throws HpackException {
        if (pos[0] >= end) {
            throw new HpackException("truncated string");
        }
        boolean huffman = (b[pos[0]] & 0x80) != 0;
        int len = integer(b, pos, end, 7);
        if (len > end - pos[0]) {
            throw new HpackException("string longer than its header block");
        }
        int at = pos[0];
        pos[0] += len;
        return huffman ? new String(Huffman.decode(b, at, len), StandardCharsets.ISO_8859_1)
                : new String(b, at, len, StandardCharsets.ISO_8859_1);
    }

    /** Writes an indexed field of the static table. */
    static void indexed(ByteArrayOutputStream out, int index) {
        writeInteger(out, 0x80, 7, index);
    }

    /** Writes a literal never added to a table, its name from the static table ({@code nameIndex} > 0) or spelled out. */
    static void literal(ByteArrayOutputStream out, int nameIndex, String name, String value) {
        writeInteger(out, 0x00, 4, nameIndex);
        if (nameIndex == 0) {
            writeString(out, name);
        }
        writeString(out, value);
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        writeInteger(out, 0x00, 7, b.length);
        out.write(b, 0, b.length);
    }

    static void writeInteger(ByteArrayOutputStream out, int bits, int prefix, int v) {
        int mask = (1 << prefix) - 1;
        if (v < mask) {
            out.write(bits | v);
            return;
        }
        out.write(bits | mask);
        v -= mask;
        while (v >= 0x80) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
    }
}
