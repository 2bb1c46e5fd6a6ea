package io.shoal.cli.aot;

import com.google.protobuf.RuntimeVersion;
import io.grpc.Metadata;
import io.grpc.stub.ClientCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * protobuf's and gRPC's jars rewritten as the package step does it: their classes initialize without
 * a logger or a formatter, verify, and still check, parse and log as the published ones do.
 */
class ClassInitRewriteTest {
    @TempDir
    Path dir;

    @Test
    void protobufInitializesWithoutLoggingAndStillChecksAndLogsTheSame() throws Exception {
        Path jar = copy(RuntimeVersion.class, "protobuf-java.jar");
        int changed = ClassInitRewrite.rewrite(jar);
        assertTrue(changed >= 3, "RuntimeVersion, GeneratedMessage and Descriptors at least; " + changed);
        assertEquals(0, ClassInitRewrite.rewrite(jar), "a second run changes nothing");
        assertRewrittenAndVerified(jar, "com/google/protobuf/RuntimeVersion.class", "com/google/protobuf/GeneratedMessage.class",
                "com/google/protobuf/Descriptors.class");

        try (URLClassLoader l = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            // a message of protobuf's own, built, written, parsed and described by the rewritten runtime
            Class<?> ts = Class.forName("com.google.protobuf.Timestamp", true, l);
            assertNotSame(com.google.protobuf.Timestamp.class, ts);
            Object b = ts.getMethod("newBuilder").invoke(null);
            b.getClass().getMethod("setSeconds", long.class).invoke(b, 1234567L);
            byte[] bytes = (byte[]) ts.getMethod("toByteArray").invoke(b.getClass().getMethod("build").invoke(b));
            Object back = ts.getMethod("parseFrom", byte[].class).invoke(null, (Object) bytes);
            assertEquals(1234567L, ts.getMethod("getSeconds").invoke(back));
            Object descriptor = ts.getMethod("getDescriptor").invoke(null);
            assertEquals("google.protobuf.Timestamp", descriptor.getClass().getMethod("getFullName").invoke(descriptor));

            // the version check: the same warnings, to the same logger, and the same failures, word for word
            Class<?> domains = Class.forName("com.google.protobuf.RuntimeVersion$RuntimeDomain", true, l);
            Object pub = domains.getField("PUBLIC").get(null);
            Method check = Class.forName("com.google.protobuf.RuntimeVersion", true, l).getMethod("validateProtobufGencodeVersion",
                    domains, int.class, int.class, int.class, String.class, String.class);
            check.invoke(null, pub, RuntimeVersion.MAJOR, RuntimeVersion.MINOR, RuntimeVersion.PATCH, "", "same.proto");
            List<String> rewritten = warnings(() -> check.invoke(null, pub, RuntimeVersion.MAJOR - 1, 0, 0, "", "old.proto"));
            List<String> published = warnings(() -> RuntimeVersion.validateProtobufGencodeVersion(
                    RuntimeVersion.RuntimeDomain.PUBLIC, RuntimeVersion.MAJOR - 1, 0, 0, "", "old.proto"));
            assertEquals(1, published.size(), "the published runtime warns of a gencode one major version older");
            assertEquals(published, rewritten);
            String newer = assertThrows(InvocationTargetException.class,
                    () -> check.invoke(null, pub, RuntimeVersion.MAJOR, RuntimeVersion.MINOR + 1, 0, "-rc1", "new.proto")).getCause().getMessage();
            String expected = assertThrows(RuntimeException.class, () -> RuntimeVersion.validateProtobufGencodeVersion(
                    RuntimeVersion.RuntimeDomain.PUBLIC, RuntimeVersion.MAJOR, RuntimeVersion.MINOR + 1, 0, "-rc1", "new.proto")).getMessage();
            assertEquals(expected, newer);
            assertTrue(newer.contains(RuntimeVersion.MAJOR + "." + (RuntimeVersion.MINOR + 1) + ".0-rc1"), newer);
        }
    }

    @Test
    void grpcsLoggersBecomeLazyToo() throws Exception {
        Path api = copy(Metadata.class, "grpc-api.jar");
        Path stub = copy(ClientCalls.class, "grpc-stub.jar");
        assertTrue(ClassInitRewrite.rewrite(api) > 0);
        assertTrue(ClassInitRewrite.rewrite(stub) > 0);
        assertRewrittenAndVerified(api, "io/grpc/Metadata.class");
        assertRewrittenAndVerified(stub, "io/grpc/stub/ClientCalls.class");
    }

    @Test
    void onlyProtobufsAndGrpcsJarsAreNamed() {
        for (String yes : List.of("protobuf-java-4.36.2.jar", "grpc-api-1.83.1.jar", "grpc-stub-1.83.1.jar")) {
            assertTrue(ClassInitRewrite.JARS.matcher(yes).matches(), yes);
        }
        for (String no : List.of("protobuf-java-util-4.36.2.jar", "grpc-core-1.83.1.jar", "picocli-4.7.7.jar", "grpc-api.jar.tmp")) {
            assertFalse(ClassInitRewrite.JARS.matcher(no).matches(), no);
        }
    }

    private Path copy(Class<?> of, String name) throws Exception {
        Path jar = dir.resolve(name);
        Files.copy(Path.of(of.getProtectionDomain().getCodeSource().getLocation().toURI()), jar);
        return jar;
    }

    /**
     * Each of {@code classes} sets no logger and formats nothing as it is initialized, and every class
     * of the jar passes the type-checking verifier (with the jar's own classes for its hierarchy).
     */
    private static void assertRewrittenAndVerified(Path jar, String... classes) throws Exception {
        List<String> errors = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try (URLClassLoader hierarchy = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
             ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                    .orElse(ClassHierarchyResolver.ofResourceParsing(hierarchy))));
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                String name = e.getName();
                if (!name.endsWith(".class") || name.endsWith("module-info.class")) {
                    continue;
                }
                byte[] b = in.readAllBytes();
                cf.verify(b).forEach(v -> errors.add(name + ": " + v.getMessage()));
                if (List.of(classes).contains(name)) {
                    seen.add(name);
                    ClassModel m = cf.parse(b);
                    assertEquals(List.of(), ClassInitRewrite.eagerLoggers(m), name);
                    m.methods().stream().filter(x -> x.methodName().equalsString("<clinit>")).flatMap(x -> x.code().stream())
                            .flatMap(c -> c.elementStream()).forEach(i -> assertFalse(i instanceof InvokeInstruction inv
                                    && inv.owner().asInternalName().equals("java/util/logging/Logger"), name + " initializes a logger"));
                }
            }
        }
        assertEquals(List.of(), errors);
        assertEquals(java.util.Set.of(classes), java.util.Set.copyOf(seen));
    }

    private interface Call {
        void run() throws Exception;
    }

    /** The messages logged to protobuf's {@code RuntimeVersion} logger while {@code call} runs. */
    private static List<String> warnings(Call call) throws Exception {
        Logger logger = Logger.getLogger("com.google.protobuf.RuntimeVersion");
        List<String> messages = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                messages.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(h);
        try {
            call.run();
        } finally {
            logger.removeHandler(h);
        }
        return messages;
    }
}
