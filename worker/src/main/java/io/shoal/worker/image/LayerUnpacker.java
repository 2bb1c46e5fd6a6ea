package io.shoal.worker.image;

import io.shoal.worker.fs.Trees;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks one image layer (gzip, zstd or uncompressed tar, told apart by their magic numbers, so a
 * registry that mislabels the media type still works) into a directory that overlayfs can use as a
 * lower layer: OCI whiteouts ({@code .wh.NAME}) become overlay whiteouts (character device 0:0),
 * opaque markers ({@code .wh..wh..opq}) become the {@code trusted.overlay.opaque} attribute.
 * Entries that would land outside the directory — {@code ..}, or a path through a symbolic link —
 * are refused. Extended attributes from PAX headers (file capabilities in {@code security.capability},
 * {@code user.*}) are set on the files and directories they belong to, byte for byte ({@link PaxXattrs}),
 * after their owner, since a change of owner clears capabilities; {@code trusted.overlay.*} from a layer
 * is ignored (it would steer overlayfs). Returns the layer's diff id (SHA-256 of the uncompressed tar)
 * and the bytes its files hold.
 */
final class LayerUnpacker {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String OVERLAY_XATTRS = "trusted.overlay.";

    private LayerUnpacker() {}

    /** What unpacking found: the diff id, and the size of the regular files written. */
    record Unpacked(String diffId, long bytes) {}

    static Unpacked unpack(Path blob, Path dir) throws IOException {
        Files.createDirectories(dir);
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long bytes = 0;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(blob))) {
            raw.mark(4);
            byte[] magic = raw.readNBytes(4);
            raw.reset();
            InputStream plain;
            if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
                plain = new GZIPInputStream(raw, 1 << 16);
            } else if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5
                    && (magic[2] & 0xff) == 0x2f && (magic[3] & 0xff) == 0xfd) {
                plain = new ZstdCompressorInputStream(raw);
            } else {
                plain = raw;
            }
            DigestInputStream digesting = new DigestInputStream(plain, sha);
            PaxXattrs pax = new PaxXattrs(digesting);
            TarArchiveInputStream tar = new TarArchiveInputStream(pax);
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                PaxXattrs.Attributes a = pax.next();
                boolean same = a != null && relative(a.name()).equals(relative(e.getName()));
                extract(tar, e, dir, same ? a.xattrs() : Map.of());
                if (e.isFile() && !e.isLink()) {
                    bytes += e.getSize();
                }
            }
            digesting.transferTo(OutputStream.nullOutputStream()); // tar padding counts in the diff id
        }
        return new Unpacked("sha256:" + HexFormat.of().formatHex(sha.digest()), bytes);
    }

    /** A name without its leading "/" and "./". */
    private static String relative(String name) {
        String n = name;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.startsWith("./") ? n.substring(2) : n.substring(1);
        }
        return n;
    }

    /** The entry's path under {@code root}, refusing '..' and absolute escapes. */
    static Path target(Path root, String name) throws IOException {
        String n = relative(name);
        if (n.isEmpty() || n.equals(".")) {
            return root;
        }
        for (String part : n.split("/")) {
            if (part.equals("..")) {
                throw new IOException("layer entry '" + name + "' escapes the layer root");
            }
        }
        Path p = root.resolve(n).normalize();
        if (!p.startsWith(root)) {
            throw new IOException("layer entry '" + name + "' escapes the layer root");
        }
        // no writing through a symbolic link planted by an earlier entry
        for (Path cur = p.getParent(); cur != null && cur.startsWith(root) && !cur.equals(root); cur = cur.getParent()) {
            if (Files.isSymbolicLink(cur)) {
                throw new IOException("layer entry '" + name + "' would be written through the symbolic link " + root.relativize(cur));
            }
        }
        return p;
    }

    private static void extract(TarArchiveInputStream tar, TarArchiveEntry e, Path root, Map<String, byte[]> xattrs)
            throws IOException {
        Path p = target(root, e.getName());
        String base = p.getFileName() == null ? "" : p.getFileName().toString();
        if (base.equals(OPAQUE)) {
            Files.createDirectories(p.getParent());
            Native.opaque(p.getParent());
            return;
        }
        if (base.startsWith(WHITEOUT)) {
            Path hidden = p.resolveSibling(base.substring(WHITEOUT.length()));
            Files.createDirectories(hidden.getParent());
            Trees.delete(hidden);
            Native.whiteout(hidden);
            return;
        }
        if (p.equals(root)) {
            return;
        }
        Files.createDirectories(p.getParent());
        if (e.isDirectory()) {
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                Trees.delete(p);
                Files.createDirectory(p);
            }
        } else if (e.isSymbolicLink()) {
            Trees.delete(p);
            Files.createSymbolicLink(p, Path.of(e.getLinkName()));
        } else if (e.isLink()) {
            Path src = target(root, e.getLinkName());
            Trees.delete(p);
            Files.createLink(p, src);
            return;
        } else if (e.isFile()) {
            Trees.delete(p);
            Files.copy(tar, p, StandardCopyOption.REPLACE_EXISTING);
        } else {
            return; // devices and fifos are not needed inside a layer
        }
        try {
            Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), LinkOption.NOFOLLOW_LINKS);
            if (!e.isSymbolicLink()) {
                Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
                Files.setLastModifiedTime(p, FileTime.from(e.getLastModifiedDate().toInstant()));
            }
        } catch (UnsupportedOperationException | IllegalArgumentException ignored) {
            // file systems without unix attributes: contents still usable
        }
        if (!e.isSymbolicLink()) {
            for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
                if (!x.getKey().startsWith(OVERLAY_XATTRS)) {
                    Native.setxattr(p, x.getKey(), x.getValue());
                }
            }
        }
    }
}
