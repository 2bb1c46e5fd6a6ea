package io.shoal.cli.aot;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites some class files of a client jar in place, at package time ({@link OldClassUpgrade},
 * {@link ClassInitRewrite}): the same entries in the same order with their times, written to a
 * temporary file beside the jar and moved over it, so a failed run leaves the jar as it was.
 */
final class JarRewrite {
    /** What becomes of one entry: its new bytes, or the same array when it stays as it is. */
    interface Entry {
        byte[] apply(ClassFile cf, String name, byte[] bytes);
    }

    private JarRewrite() {}

    /** The jars of a client class path file ({@code lib/client.classpath}: entries relative to its directory's parent). */
    static List<Path> clientJars(Path classpathFile) throws IOException {
        Path file = classpathFile.toAbsolutePath();
        Path base = file.getParent().getParent();
        List<Path> jars = new ArrayList<>();
        for (String entry : Files.readString(file).strip().split(":")) {
            Path jar = base.resolve(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(jar)) {
                jars.add(jar);
            }
        }
        return jars;
    }

    /**
     * Passes every entry of {@code jar} through {@code rewrite} and writes the jar again; returns how
     * many entries changed. The {@link ClassFile} given generates stack maps, resolving the jar's own
     * classes from the jar itself (stack maps merge types).
     */
    static int rewrite(Path jar, Entry rewrite) throws IOException {
        Path tmp = jar.resolveSibling(jar.getFileName() + ".rewrite.tmp");
        int n = 0;
        try (URLClassLoader hierarchy = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
             OutputStream raw = Files.newOutputStream(tmp);
             ZipOutputStream out = new ZipOutputStream(raw)) {
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(hierarchy))));
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                byte[] b = in.readAllBytes();
                byte[] r = rewrite.apply(cf, e.getName(), b);
                if (r != b) {
                    n++;
                }
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setTime(e.getTime());
                out.putNextEntry(copy);
                out.write(r);
                out.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return n;
    }
}
