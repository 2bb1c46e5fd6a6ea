package io.shoal.cli.aot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** picocli's Java 5 jar, upgraded as the package step does it: archivable, verifiable, and still picocli. */
class OldClassUpgradeTest {
    @TempDir
    Path dir;

    @Test
    void picocliBecomesArchivableAndStillParses() throws Exception {
        Path jar = dir.resolve("picocli.jar");
        Files.copy(Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI()), jar);
        List<String> before = entries(jar);
        int old = OldClassUpgrade.oldClasses(jar).size();
        assertTrue(old > 100, "picocli 4.x ships Java 5 class files; found " + old + " old ones");

        assertEquals(old, OldClassUpgrade.upgrade(jar));
        assertEquals(List.of(), OldClassUpgrade.oldClasses(jar));
        assertEquals(before, entries(jar), "the same entries, in the same order");
        assertEquals(0, OldClassUpgrade.upgrade(jar), "a second run changes nothing");

        // every class passes the type-checking verifier (the one that needs the generated stack maps)
        List<String> errors = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                    String name = e.getName();
                    byte[] b = in.readAllBytes();
                    assertEquals(OldClassUpgrade.TARGET, OldClassUpgrade.majorVersion(b), name);
                    ClassFile.of().verify(b).forEach(v -> errors.add(name + ": " + v.getMessage()));
                }
            }
        }
        assertEquals(List.of(), errors);

        // and the JVM runs it: a command built and parsed by the upgraded picocli, in a loader of its own
        try (URLClassLoader l = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> cl = Class.forName("picocli.CommandLine", true, l);
            assertFalse(cl == CommandLine.class);
            Class<?> specs = Class.forName("picocli.CommandLine$Model$CommandSpec", true, l);
            Class<?> options = Class.forName("picocli.CommandLine$Model$OptionSpec", true, l);
            Class<?> builder = Class.forName("picocli.CommandLine$Model$OptionSpec$Builder", true, l);
            Object spec = specs.getMethod("create").invoke(null);
            Object b = options.getMethod("builder", String[].class).invoke(null, (Object) new String[] {"--replicas"});
            Method arity = builder.getMethod("arity", String.class);
            arity.setAccessible(true); // declared by a package-private superclass
            arity.invoke(b, "1");
            specs.getMethod("addOption", options).invoke(spec, builder.getMethod("build").invoke(b));
            Object line = cl.getConstructor(Object.class).newInstance(spec);
            Object parsed = cl.getMethod("parseArgs", String[].class).invoke(line, (Object) new String[] {"--replicas", "3"});
            Object value = parsed.getClass().getMethod("matchedOptionValue", String.class, Object.class).invoke(parsed, "--replicas", "none");
            assertEquals("3", value);
        }
    }

    @Test
    void aJarWithoutOldClassesIsLeftAlone() throws IOException {
        Path jar = dir.resolve("junit.jar");
        Files.copy(Path.of(Test.class.getProtectionDomain().getCodeSource().getLocation().getPath()), jar);
        long modified = Files.getLastModifiedTime(jar).toMillis();
        assertEquals(0, OldClassUpgrade.upgrade(jar));
        assertEquals(modified, Files.getLastModifiedTime(jar).toMillis());
    }

    private static List<String> entries(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
