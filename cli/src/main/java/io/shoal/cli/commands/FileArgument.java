package io.shoal.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The FILE|- argument of {@code secret create} and {@code config create}: the file's bytes, or
 * standard input's for "-". Reading stops one byte past the limit, so a huge file is refused
 * without being read whole (the managers check the limit again).
 */
final class FileArgument {
    private FileArgument() {}

    /**
     * @param kind "secret" or "config", for the message
     * @param limit the size the data must stay below
     * @throws IOException with one line naming the file when it cannot be read or is too large
     */
    static byte[] read(String kind, String file, InputStream stdin, int limit) throws IOException {
        byte[] data = file.equals("-") ? stdin.readNBytes(limit) : readFile(file, limit);
        if (data.length >= limit) {
            throw new IOException(kind + " data must be larger than 0 and less than " + limit / 1024 + " KiB ("
                    + (file.equals("-") ? "standard input" : file) + " has more)");
        }
        return data;
    }

    private static byte[] readFile(String file, int limit) throws IOException {
        Path p = Path.of(file);
        if (Files.isDirectory(p)) {
            throw new IOException("cannot read " + file + ": it is a directory");
        }
        try (InputStream in = Files.newInputStream(p)) {
            return in.readNBytes(limit);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + file + ": no such file");
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
