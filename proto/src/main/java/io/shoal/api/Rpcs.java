package io.shoal.api;

import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every gRPC service generated from the .proto files, found among this module's own classes (the
 * {@code *Grpc} classes protoc-gen-grpc-java writes), so that a new service or rpc is listed without
 * anyone adding it here. For what must cover every rpc: the access policy's table, the fuzzing of
 * the control API.
 */
public final class Rpcs {
    private static final Pattern GRPC_CLASS = Pattern.compile("io/shoal/api/(\\w+/)*\\w+Grpc\\.class");

    private Rpcs() {}

    /** Every service, in the order of their classes' names. */
    public static List<ServiceDescriptor> services() {
        List<ServiceDescriptor> out = new ArrayList<>();
        for (String c : grpcClasses()) {
            try {
                Class<?> k = Class.forName(c.replace('/', '.').substring(0, c.length() - ".class".length()));
                out.add((ServiceDescriptor) k.getMethod("getServiceDescriptor").invoke(null));
            } catch (ReflectiveOperationException e) {
                Throwable cause = e instanceof InvocationTargetException t ? t.getCause() : e;
                throw new IllegalStateException("cannot read the service of " + c + ": " + cause, cause);
            }
        }
        return out;
    }

    /** Every rpc of every service, in the order of {@link #services()} and then of the .proto file. */
    public static List<MethodDescriptor<?, ?>> methods() {
        return services().stream().<MethodDescriptor<?, ?>>flatMap(s -> s.getMethods().stream()).toList();
    }

    /** Every rpc as gRPC names it ({@code shoal.Control/CreateService}), sorted. */
    public static List<String> names() {
        return methods().stream().map(MethodDescriptor::getFullMethodName).sorted().toList();
    }

    /** The class files of the generated services, from this module's directory or jar. */
    private static List<String> grpcClasses() {
        try {
            Path root = Path.of(Rpcs.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root)) {
                    return s.map(p -> root.relativize(p).toString()).filter(p -> GRPC_CLASS.matcher(p).matches()).sorted().toList();
                }
            }
            try (FileSystem jar = FileSystems.newFileSystem(root); Stream<Path> s = Files.walk(jar.getPath("/"))) {
                return s.map(p -> p.toString().substring(1)).filter(p -> GRPC_CLASS.matcher(p).matches()).sorted().toList();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list the generated services: " + e.getMessage(), e);
        }
    }
}
