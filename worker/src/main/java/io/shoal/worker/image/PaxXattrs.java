package io.shoal.worker.image;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the extended attributes of a layer's entries ({@code SCHILY.xattr.NAME} records of PAX
 * headers, as docker and containerd write file capabilities) as the raw bytes they are. The tar
 * reader decodes PAX values as UTF-8, which garbles binary values such as
 * {@code security.capability}, so this stream watches the uncompressed tar pass by on its way to
 * the reader: it follows the 512-byte blocks, keeps each PAX header's attributes, and queues them
 * with the name of the entry they belong to, one queue element per entry in archive order.
 */
final class PaxXattrs extends FilterInputStream {
    private static final int BLOCK = 512;
    private static final String XATTR = "SCHILY.xattr.";
    /** A PAX or long-name header larger than this is not kept (it is still passed on). */
    private static final int MAX_KEPT = 1 << 20;

    /** The attributes of one entry, and its name as the archive gives it. */
    record Attributes(String name, Map<String, byte[]> xattrs) {}

    private final ArrayDeque<Attributes> entries = new ArrayDeque<>();
    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    /** bytes of the current entry's data (and padding) still to pass */
    private long remaining;
    /** where the current meta entry's data goes (a PAX header or a GNU long name), or null */
    private ByteArrayOutputStream kept;
    private char keptType;
    /** bytes of the meta entry's data (without padding) still to keep */
    private long keptLeft;
    private Map<String, byte[]> pendingXattrs = Map.of();
    private String pendingPath;
    private Long pendingSize;
    private String pendingLongName;

    PaxXattrs(InputStream in) {
        super(in);
    }

    /** The next entry's attributes, in archive order; null when the stream has not shown another entry. */
    Attributes next() {
        return entries.poll();
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            see(new byte[]{(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            see(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void see(byte[] b, int off, int len) {
        while (len > 0) {
            if (remaining > 0) {
                int n = (int) Math.min(remaining, len);
                if (kept != null && keptLeft > 0) {
                    int useful = (int) Math.min(n, keptLeft);
                    if (kept.size() + useful <= MAX_KEPT) {
                        kept.write(b, off, useful);
                    }
                    keptLeft -= useful;
                }
                remaining -= n;
                off += n;
                len -= n;
                if (remaining == 0 && kept != null) {
                    metaDone();
                }
                continue;
            }
            int n = Math.min(BLOCK - headerFill, len);
            System.arraycopy(b, off, header, headerFill, n);
            headerFill += n;
            off += n;
            len -= n;
            if (headerFill == BLOCK) {
                headerFill = 0;
                header();
            }
        }
    }

    private static long padding(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private void header() {
        boolean zero = true;
        for (byte x : header) {
            if (x != 0) {
                zero = false;
                break;
            }
        }
        if (zero) {
            return; // the end-of-archive blocks
        }
        char type = (char) header[156];
        long size = size();
        switch (type) {
            case 'x', 'X', 'L' -> {
                kept = new ByteArrayOutputStream();
                keptType = type;
                keptLeft = size;
                remaining = size + padding(size);
                if (remaining == 0) {
                    metaDone();
                }
            }
            case 'g', 'K' -> remaining = size + padding(size);
            default -> {
                String name = pendingPath != null ? pendingPath : pendingLongName != null ? pendingLongName : ustarName();
                entries.add(new Attributes(name, pendingXattrs));
                long data = pendingSize != null ? pendingSize : size;
                if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                    data = 0;
                }
                remaining = data + padding(data);
                pendingXattrs = Map.of();
                pendingPath = null;
                pendingSize = null;
                pendingLongName = null;
            }
        }
    }

    /** The data of a PAX header or long name is complete: keep what it says for the next entry. */
    private void metaDone() {
        byte[] data = kept.toByteArray();
        kept = null;
        if (keptType == 'L') {
            int end = 0;
            while (end < data.length && data[end] != 0) {
                end++;
            }
            pendingLongName = new String(data, 0, end, StandardCharsets.UTF_8);
            return;
        }
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        int i = 0;
        while (i < data.length) {
            int space = i;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                break; // not a record: leave the rest to the tar reader, which refuses it
            }
            int end = i + length;
            if (length <= 0 || end > data.length) {
                break;
            }
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq < end - 1) {
                String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
                byte[] value = Arrays.copyOfRange(data, eq + 1, end - 1); // without the record's '\n'
                if (key.startsWith(XATTR)) {
                    xattrs.put(key.substring(XATTR.length()), value);
                } else if (key.equals("path")) {
                    pendingPath = new String(value, StandardCharsets.UTF_8);
                } else if (key.equals("size")) {
                    try {
                        pendingSize = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
                    } catch (NumberFormatException ignored) {
                        // the tar reader refuses it
                    }
                }
            }
            i = end;
        }
        pendingXattrs = xattrs;
    }

    /** The size field: octal, or base-256 when its first byte has the high bit set. */
    private long size() {
        if ((header[124] & 0x80) != 0) {
            long v = header[124] & 0x7f;
            for (int i = 125; i < 136; i++) {
                v = (v << 8) | (header[i] & 0xff);
            }
            return v;
        }
        int i = 124;
        while (i < 136 && (header[i] == ' ' || header[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < 136 && header[i] >= '0' && header[i] <= '7'; i++) {
            v = v * 8 + (header[i] - '0');
        }
        return v;
    }

    /** ustar's name: prefix (when the magic says ustar) and name, each NUL-terminated. */
    private String ustarName() {
        String name = field(0, 100);
        String magic = field(257, 6);
        if (magic.startsWith("ustar") && header[263] != ' ') {
            String prefix = field(345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private String field(int off, int len) {
        int end = off;
        while (end < off + len && header[end] != 0) {
            end++;
        }
        return new String(header, off, end - off, StandardCharsets.UTF_8);
    }
}
