package io.shoal.cli.aot;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.CodeElement;
import java.lang.classfile.CodeTransform;
import java.lang.classfile.Instruction;
import java.lang.classfile.MethodModel;
import java.lang.classfile.MethodTransform;
import java.lang.classfile.Opcode;
import java.lang.classfile.instruction.ConstantInstruction;
import java.lang.classfile.instruction.FieldInstruction;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.reflect.AccessFlag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Makes the client's protobuf and gRPC stub classes cheap to initialize, at package time, in their
 * jars (after {@link OldClassUpgrade}, before the AOT cache is recorded). Every generated message
 * class, protobuf's own included, calls {@code RuntimeVersion.validateProtobufGencodeVersion} from
 * its static initializer, and {@code RuntimeVersion}'s initializer formats the runtime's version
 * with {@code String.format}, which sets up the locale's number symbols; it, protobuf's
 * {@code GeneratedMessage} and {@code Descriptors}, and gRPC's {@code ClientCalls} each look up a
 * {@code java.util.logging} logger as they are initialized, which starts the JDK's logging (it
 * reads its configuration and looks for a logging service in every jar). All of it for messages
 * logged only when something is wrong (a version mismatch, a descriptor or a call protobuf or gRPC
 * warns about): ~10 ms of every client's CPU (docs/operations.md, "A fast CLI").
 * <p>
 * What changes, and only that: {@code RuntimeVersion.versionString} concatenates instead of
 * formatting (the same text: {@code %d} in {@code Locale.US} is {@code Integer.toString}); a class's
 * {@code private static final Logger} set by its initializer to {@code Logger.getLogger(X.class.getName())}
 * is left null, and each read of it becomes that same {@code Logger.getLogger} call (the JDK's
 * logging returns the same logger for a name while it is in use), so every message is logged as
 * before, to the same logger. Such reads are on paths that warn, not on every call. A class not of
 * that shape (another version) stays as it is; so does one rewritten already, so running it twice
 * changes nothing. Only the jars {@link #JARS} names are rewritten.
 */
public final class ClassInitRewrite {
    /** The jars rewritten: protobuf's runtime and gRPC's stubs, which every client command loads. */
    static final Pattern JARS = Pattern.compile("(protobuf-java|grpc-api|grpc-stub)-[0-9][^/]*\\.jar");
    private static final ClassDesc RUNTIME_VERSION = ClassDesc.of("com.google.protobuf.RuntimeVersion");
    private static final ClassDesc LOGGER = ClassDesc.of("java.util.logging.Logger");
    private static final ClassDesc STRING_BUILDER = ClassDesc.of("java.lang.StringBuilder");
    private static final MethodTypeDesc VERSION_STRING = MethodTypeDesc.of(ConstantDescs.CD_String,
            ConstantDescs.CD_int, ConstantDescs.CD_int, ConstantDescs.CD_int, ConstantDescs.CD_String);
    private static final MethodTypeDesc GET_LOGGER = MethodTypeDesc.of(LOGGER, ConstantDescs.CD_String);
    private static final MethodTypeDesc GET_NAME = MethodTypeDesc.of(ConstantDescs.CD_String);

    private ClassInitRewrite() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ClassInitRewrite CLASSPATH_FILE (lib/client.classpath)");
            System.exit(2);
        }
        for (Path jar : JarRewrite.clientJars(Path.of(args[0]))) {
            if (!JARS.matcher(jar.getFileName().toString()).matches()) {
                continue;
            }
            int n = rewrite(jar);
            if (n > 0) {
                System.out.println("rewrote " + n + " classes of " + jar.getFileName() + " to initialize without logging or formatting");
            }
        }
    }

    /** Rewrites {@code jar} in place unless nothing in it applies (or no longer does); returns how many classes changed. */
    static int rewrite(Path jar) throws IOException {
        Map<String, List<String>> loggers = new HashMap<>();
        boolean formats = false;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                    ClassModel m = ClassFile.of().parse(in.readAllBytes());
                    List<String> fields = eagerLoggers(m);
                    if (!fields.isEmpty()) {
                        loggers.put(m.thisClass().asInternalName(), fields);
                    }
                    formats |= m.methods().stream().anyMatch(ClassInitRewrite::formatsVersion);
                }
            }
        }
        if (loggers.isEmpty() && !formats) {
            return 0;
        }
        return JarRewrite.rewrite(jar, (cf, name, b) -> name.endsWith(".class") && !name.endsWith("module-info.class") ? rewrite(cf, b, loggers) : b);
    }

    /**
     * One class with {@code loggers} (by owner's internal name, their field names) made lazy, and
     * {@code RuntimeVersion}'s version formatted by concatenation; the same array when nothing applies.
     */
    static byte[] rewrite(ClassFile cf, byte[] classFile, Map<String, List<String>> loggers) {
        ClassModel model = cf.parse(classFile);
        String self = model.thisClass().asInternalName();
        List<String> own = loggers.getOrDefault(self, List.of());
        boolean[] changed = {false};
        ClassTransform t = (cb, e) -> {
            if (e instanceof MethodModel mm && formatsVersion(mm)) {
                changed[0] = true;
                cb.withMethodBody(mm.methodName(), mm.methodType(), mm.flags().flagsMask(), ClassInitRewrite::concatenate);
            } else if (e instanceof MethodModel mm && mm.code().isPresent() && touches(mm, loggers)) {
                changed[0] = true;
                boolean clinit = mm.methodName().equalsString(ConstantDescs.CLASS_INIT_NAME);
                cb.transformMethod(mm, MethodTransform.transformingCode(lazy(loggers, clinit ? own : List.of(), self)));
            } else {
                cb.with(e);
            }
        };
        byte[] out = cf.transformClass(model, t);
        return changed[0] ? out : classFile;
    }

    /**
     * The fields of {@code m} its initializer sets to its own logger:
     * {@code ldc m; invokevirtual Class.getName; invokestatic Logger.getLogger; putstatic m.F}, F a
     * private static final {@code Logger}, read nowhere but in this class and its nestmates.
     */
    static List<String> eagerLoggers(ClassModel m) {
        List<String> fields = new ArrayList<>();
        MethodModel clinit = m.methods().stream().filter(x -> x.methodName().equalsString(ConstantDescs.CLASS_INIT_NAME)).findFirst().orElse(null);
        if (clinit == null || clinit.code().isEmpty()) {
            return fields;
        }
        List<CodeElement> code = clinit.code().get().elementList().stream().filter(x -> x instanceof Instruction).toList();
        for (int i = 3; i < code.size(); i++) {
            if (code.get(i - 3) instanceof ConstantInstruction c && m.thisClass().asSymbol().equals(c.constantValue())
                    && code.get(i - 2) instanceof InvokeInstruction n && n.owner().asSymbol().equals(ConstantDescs.CD_Class)
                    && n.name().equalsString("getName") && n.typeSymbol().equals(GET_NAME)
                    && code.get(i - 1) instanceof InvokeInstruction g && isGetLogger(g)
                    && code.get(i) instanceof FieldInstruction f && f.opcode() == Opcode.PUTSTATIC
                    && f.owner().equals(m.thisClass()) && privateLogger(m, f.name().stringValue())) {
                fields.add(f.name().stringValue());
            }
        }
        return fields;
    }

    private static boolean privateLogger(ClassModel m, String name) {
        return m.fields().stream().anyMatch(f -> f.fieldName().equalsString(name) && f.fieldTypeSymbol().equals(LOGGER)
                && f.flags().has(AccessFlag.PRIVATE) && f.flags().has(AccessFlag.STATIC) && f.flags().has(AccessFlag.FINAL));
    }

    /**
     * Reads of {@code loggers} become {@code Logger.getLogger(owner's name)}; in the initializer of
     * {@code self}, the {@code getLogger} call that set one of {@code own} is dropped and the name it
     * was given is popped instead of stored.
     */
    private static CodeTransform lazy(Map<String, List<String>> loggers, List<String> own, String self) {
        return new CodeTransform() {
            private InvokeInstruction held;

            @Override
            public void accept(CodeBuilder code, CodeElement e) {
                if (held != null && !(e instanceof Instruction)) {
                    code.with(e); // a label or a line number between the call and the store
                    return;
                }
                if (held != null) {
                    InvokeInstruction g = held;
                    held = null;
                    if (e instanceof FieldInstruction f && f.opcode() == Opcode.PUTSTATIC && f.owner().asInternalName().equals(self)
                            && own.contains(f.name().stringValue())) {
                        code.pop();
                        return;
                    }
                    code.with(g);
                }
                if (!own.isEmpty() && e instanceof InvokeInstruction i && isGetLogger(i)) {
                    held = i;
                } else if (e instanceof FieldInstruction f && f.opcode() == Opcode.GETSTATIC && isLogger(f, loggers)) {
                    code.ldc(f.owner().asInternalName().replace('/', '.')).invokestatic(LOGGER, "getLogger", GET_LOGGER);
                } else {
                    code.with(e);
                }
            }

            @Override
            public void atEnd(CodeBuilder code) {
                if (held != null) {
                    code.with(held);
                }
            }
        };
    }

    private static boolean touches(MethodModel m, Map<String, List<String>> loggers) {
        return m.code().orElseThrow().elementStream().anyMatch(e -> e instanceof FieldInstruction f && isLogger(f, loggers));
    }

    private static boolean isLogger(FieldInstruction f, Map<String, List<String>> loggers) {
        List<String> fields = loggers.get(f.owner().asInternalName());
        return fields != null && fields.contains(f.name().stringValue());
    }

    private static boolean isGetLogger(InvokeInstruction i) {
        return i.opcode() == Opcode.INVOKESTATIC && i.owner().asSymbol().equals(LOGGER) && i.name().equalsString("getLogger")
                && i.typeSymbol().equals(GET_LOGGER);
    }

    /** {@code RuntimeVersion.versionString(int, int, int, String)} as published: through {@code String.format}. */
    private static boolean formatsVersion(MethodModel m) {
        return m.parent().map(c -> c.thisClass().asSymbol().equals(RUNTIME_VERSION)).orElse(false)
                && m.methodName().equalsString("versionString") && m.methodTypeSymbol().equals(VERSION_STRING)
                && m.flags().has(AccessFlag.STATIC) && m.code().isPresent()
                && m.code().get().elementStream().anyMatch(e -> e instanceof InvokeInstruction i
                        && i.owner().asSymbol().equals(ConstantDescs.CD_String) && i.name().equalsString("format"));
    }

    /** {@code return major + "." + minor + "." + patch + suffix;} */
    private static void concatenate(CodeBuilder code) {
        code.new_(STRING_BUILDER).dup().invokespecial(STRING_BUILDER, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void);
        for (int slot = 0; slot < 3; slot++) {
            code.iload(slot).invokevirtual(STRING_BUILDER, "append", MethodTypeDesc.of(STRING_BUILDER, ConstantDescs.CD_int));
            if (slot < 2) {
                code.bipush('.').invokevirtual(STRING_BUILDER, "append", MethodTypeDesc.of(STRING_BUILDER, ConstantDescs.CD_char));
            }
        }
        code.aload(3).invokevirtual(STRING_BUILDER, "append", MethodTypeDesc.of(STRING_BUILDER, ConstantDescs.CD_String))
                .invokevirtual(STRING_BUILDER, "toString", MethodTypeDesc.of(ConstantDescs.CD_String)).areturn();
    }
}
