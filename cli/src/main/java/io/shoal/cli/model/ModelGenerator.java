package io.shoal.cli.model;

import io.shoal.cli.RootCommand;
import io.shoal.cli.ShoalCommand;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IAnnotatedElement;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the command model file at build time (cli/pom.xml runs it after compiling): picocli reads the
 * annotations of every command class once, here, and the model it builds is written down, attribute by
 * attribute, for {@link CommandModels} to build the same model at run time through picocli's programmatic
 * API, without reading an annotation. The annotated classes stay the single source of truth;
 * {@code GeneratedModelTest} checks that the two models agree for every command.
 * <p>
 * What picocli infers (arity, parameter labels, types, the standard help options) is taken from its
 * model, not recomputed; the strings are the raw ones ({@code ${DEFAULT-VALUE}}, {@code ${env:...}}
 * stay variables, expanded at run time as before). A picocli feature the reader does not rebuild
 * (converters, argument groups, completion candidates, parameter consumers, ...) fails the build here
 * with one line naming the option, rather than being dropped silently.
 * Argument: the file to write.
 */
public final class ModelGenerator {
    private final StringBuilder out = new StringBuilder();
    private final Set<Class<?>> written = new LinkedHashSet<>();

    private ModelGenerator() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, generate(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The model file's text: the root without its commands, then the whole tree, each command class once. */
    static String generate() {
        ModelGenerator g = new ModelGenerator();
        g.out.append("# the command model of shoal, written at build time by ").append(ModelGenerator.class.getName())
                .append(" from the annotated command classes\n");
        g.command(new CommandLine(new RootCommand()).getCommandSpec());
        g.command(new CommandLine(new ShoalCommand()).getCommandSpec());
        return g.out.toString();
    }

    private void command(CommandSpec spec) {
        Class<?> type = spec.userObject().getClass();
        if (!written.add(type)) {
            return;
        }
        raw(spec);
        out.append(ModelText.line("command", type.getName()));
        out.append(ModelText.line("name", spec.name()));
        if (spec.aliases().length > 0) {
            out.append(ModelText.line("aliases", spec.aliases()));
        }
        if (spec.usageMessage().description().length > 0) {
            out.append(ModelText.line("description", spec.usageMessage().description()));
        }
        if (spec.versionProvider() != null) {
            out.append(ModelText.line("version", spec.versionProvider().getClass().getName()));
        }
        specFields(type);
        List<CommandSpec> subs = new ArrayList<>();
        for (CommandLine sub : new LinkedHashSet<>(spec.subcommands().values())) {
            subs.add(sub.getCommandSpec());
        }
        if (!subs.isEmpty()) {
            out.append(ModelText.line("sub", subs.stream().map(s -> s.userObject().getClass().getName()).toArray(String[]::new)));
        }
        elements(spec);
        out.append("end\n");
        for (CommandSpec sub : subs) {
            command(sub);
        }
    }

    /** picocli's getters expand variables; the file keeps them as written. */
    private static void raw(CommandSpec spec) {
        spec.interpolateVariables(false);
        for (CommandSpec m : spec.mixins().values()) {
            raw(m);
        }
    }

    /** The fields that picocli injects the command's own model into ({@code @Spec}). */
    private void specFields(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                Spec s = f.getAnnotation(Spec.class);
                if (s != null) {
                    out.append(ModelText.line("spec", c.getName(), f.getName(), s.value().name()));
                }
            }
        }
    }

    /** Options, mixins and positional parameters, in the order picocli added them to {@code spec}. */
    private void elements(CommandSpec spec) {
        if (!spec.argGroups().isEmpty() || !spec.unmatchedArgsBindings().isEmpty() || !spec.parentCommandElements().isEmpty()) {
            throw unsupported(spec.userObject().getClass().getName(), "argument groups, @Unmatched or @ParentCommand");
        }
        Map<Object, String> mixinOf = new IdentityHashMap<>();
        for (Map.Entry<String, CommandSpec> m : spec.mixins().entrySet()) {
            m.getValue().options().forEach(o -> mixinOf.put(o, m.getKey()));
            m.getValue().positionalParameters().forEach(p -> mixinOf.put(p, m.getKey()));
        }
        Set<String> mixinsDone = new LinkedHashSet<>();
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec a : args) {
            if (a.inherited()) {
                continue; // a parent's option (--host): picocli adds it again when the command is added
            }
            String mixin = mixinOf.get(a);
            if (mixin == null) {
                arg(a);
            } else if (mixinsDone.add(mixin)) {
                mixin(spec, mixin);
            }
        }
        for (String mixin : spec.mixins().keySet()) {
            if (mixinsDone.add(mixin)) {
                mixin(spec, mixin);
            }
        }
        if (!new ArrayList<>(mixinsDone).equals(new ArrayList<>(spec.mixins().keySet()))) {
            throw unsupported(spec.userObject().getClass().getName(), "mixins whose options come in another order than the mixins");
        }
    }

    private void mixin(CommandSpec spec, String name) {
        CommandSpec m = spec.mixins().get(name);
        IAnnotatedElement e = spec.mixinAnnotatedElements().get(name);
        if (e == null && !name.equals("mixinStandardHelpOptions")) {
            throw unsupported(spec.userObject().getClass().getName(), "a mixin added otherwise than by @Mixin: " + name);
        }
        Field f = e == null ? null : (Field) e.userObject();
        out.append(ModelText.line("mixin", name, f == null ? null : f.getDeclaringClass().getName(), f == null ? null : f.getName(),
                m.userObject().getClass().getName()));
        specFields(m.userObject().getClass());
        elements(m);
        out.append("end\n");
    }

    private void arg(ArgSpec a) {
        String where = a.toString();
        if (a.converters().length > 0 || a.parameterConsumer() != null || a.interactive()
                || (a.completionCandidates() != null && !a.typeInfo().isEnum())
                || !a.preprocessor().getClass().getName().endsWith("NoOpParameterPreprocessor")) {
            throw unsupported(where, "converters, completion candidates, parameter consumers, preprocessors or interactive input");
        }
        Member m = switch (a.userObject()) {
            case Field f -> f;
            case Method x -> x;
            default -> throw unsupported(where, "an option bound to neither a field nor a method");
        };
        String kind = m instanceof Field ? "field" : "method";
        String param = m instanceof Method x ? x.getParameterTypes()[0].getName() : null;
        out.append(ModelText.line(a.isOption() ? "option" : "positional", kind, m.getDeclaringClass().getName(), m.getName(), param));
        if (a instanceof OptionSpec o) {
            out.append(ModelText.line("names", o.names()));
            flag("help", o.help());
            flag("usageHelp", o.usageHelp());
            flag("versionHelp", o.versionHelp());
            flag("negatable", o.negatable());
            if (!o.fallbackValue().isEmpty()) {
                out.append(ModelText.line("fallbackValue", o.fallbackValue()));
            }
            if (o.order() != -1) { // picocli's default order
                out.append(ModelText.line("order", Integer.toString(o.order())));
            }
        } else {
            out.append(ModelText.line("index", range(((PositionalParamSpec) a).index())));
        }
        out.append(ModelText.line("arity", range(a.arity())));
        flag("required", a.required());
        out.append(ModelText.line("paramLabel", a.paramLabel()));
        flag("hideParamSyntax", a.hideParamSyntax());
        if (a.description().length > 0) {
            out.append(ModelText.line("description", a.description()));
        }
        if (a.descriptionKey() != null && !a.descriptionKey().isEmpty()) {
            out.append(ModelText.line("descriptionKey", a.descriptionKey()));
        }
        if (!a.splitRegex().isEmpty()) {
            out.append(ModelText.line("split", a.splitRegex(), a.splitRegexSynopsisLabel()));
        }
        flag("hidden", a.hidden());
        if (a.defaultValue() != null) {
            out.append(ModelText.line("defaultValue", a.defaultValue()));
        }
        if (!"__unspecified__".equals(a.mapFallbackValue())) {
            out.append(ModelText.line("mapFallbackValue", a.mapFallbackValue()));
        }
        if (a.showDefaultValue() != CommandLine.Help.Visibility.ON_DEMAND) {
            out.append(ModelText.line("showDefaultValue", a.showDefaultValue().name()));
        }
        if (a.scopeType() != CommandLine.ScopeType.LOCAL) {
            out.append(ModelText.line("scopeType", a.scopeType().name()));
        }
        flag("echo", a.echo());
        if (a.prompt() != null && !a.prompt().isEmpty()) {
            out.append(ModelText.line("prompt", a.prompt()));
        }
        for (Class<?> t : a.auxiliaryTypes()) {
            if (t.getName().matches(CommandModels.UNUSED_CONVERTERS)) {
                throw new IllegalStateException(where + ": a client leaves picocli's converter for " + t.getName()
                        + " out (CommandModels.UNUSED_CONVERTERS): take it out of that expression");
            }
        }
        List<String> types = new ArrayList<>(List.of(a.type().getName()));
        for (Class<?> t : a.auxiliaryTypes()) {
            types.add(t.getName());
        }
        out.append(ModelText.line("type", types.toArray(String[]::new)));
        flag("hasInitialValue", a.hasInitialValue());
        out.append(ModelText.line("toString", a.toString()));
        out.append("end\n");
    }

    private void flag(String key, boolean value) {
        if (value) {
            out.append(key).append('\n');
        }
    }

    /** A range as its five parts: min, max, variable, unspecified, the value as written. */
    private static String[] range(Range r) {
        return new String[] {Integer.toString(r.min()), Integer.toString(r.max()), Boolean.toString(r.isVariable()),
                Boolean.toString(r.isUnspecified()), r.originalValue()};
    }

    private static IllegalStateException unsupported(String where, String what) {
        return new IllegalStateException(where + ": the command model file cannot hold " + what
                + " yet; teach " + ModelGenerator.class.getSimpleName() + " and " + CommandModels.class.getSimpleName() + " to");
    }
}
