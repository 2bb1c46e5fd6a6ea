package io.shoal.cli.model;

import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The command models written at build time ({@link ModelGenerator}), built at run time through picocli's
 * programmatic API: the same {@link CommandSpec}s picocli builds from the annotations, without reading
 * an annotation (the JDK spins a proxy class per annotation type at run time, and picocli scans every
 * field and method of every class). Options are bound to their fields and setter methods by name.
 * A command is built only when asked for, with the subcommands asked for.
 */
public final class CommandModels {
    /** picocli's built-in converters a client does without: the types of no option (a regular expression). */
    public static final String UNUSED_CONVERTERS = "java\\.(sql|time)\\..*";

    /** The file, beside this class in the cli jar. */
    static final String FILE = "commands.txt";

    private static final Map<String, Class<?>> PRIMITIVES = Map.of("boolean", boolean.class, "int", int.class,
            "long", long.class, "double", double.class, "float", float.class, "short", short.class, "byte", byte.class,
            "char", char.class);

    private static CommandModels loaded;

    /** The file's text, and where each command's block starts in it (after its {@code command} record). */
    private final String text;
    private final Map<String, Integer> starts = new HashMap<>();

    CommandModels(String text) {
        this.text = text;
        for (int i = text.indexOf("\ncommand\t"); i >= 0; i = text.indexOf("\ncommand\t", i + 1)) {
            int name = i + "\ncommand\t".length();
            int eol = text.indexOf('\n', name);
            starts.put(text.substring(name, eol), eol + 1);
        }
    }

    /** The models of the cli jar. */
    public static synchronized CommandModels get() {
        if (loaded == null) {
            try (InputStream in = CommandModels.class.getResourceAsStream(FILE)) {
                if (in == null) {
                    throw new IllegalStateException("the cli jar has no command model (" + FILE + "): build it with 'mvn package'");
                }
                loaded = new CommandModels(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return loaded;
    }

    /** The class of {@code parent}'s command named {@code name} or aliased so, or null. */
    public String subcommand(String parent, String name) {
        for (String sub : header(parent, "sub")) {
            String[] n = header(sub, "name");
            if ((n.length > 0 && n[0].equals(name)) || Arrays.asList(header(sub, "aliases")).contains(name)) {
                return sub;
            }
        }
        return null;
    }

    /** The command of class {@code type} with those of its commands that {@code keep} accepts, each with all of its own. */
    public CommandLine commandLine(String type, Predicate<String> keep) {
        Object command = newInstance(type);
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
        String[] subs = build(new Cursor(start(type)), spec, command, null);
        CommandLine cl = new CommandLine(spec);
        for (String sub : subs) {
            if (keep.test(sub)) {
                CommandLine c = commandLine(sub, s -> true);
                cl.addSubcommand(c.getCommandName(), c);
            }
        }
        return cl;
    }

    private int start(String type) {
        Integer i = starts.get(type);
        if (i == null) {
            throw new IllegalStateException("no command model for " + type + ": build the cli jar again");
        }
        return i;
    }

    /** The values of the first record {@code key} of a command's block before its options, or none. */
    private String[] header(String type, String key) {
        Cursor c = new Cursor(start(type));
        for (String[] f = c.next(); !f[0].equals("end") && !f[0].equals("mixin") && !f[0].equals("option")
                && !f[0].equals("positional"); f = c.next()) {
            if (f[0].equals(key)) {
                return rest(f);
            }
        }
        return new String[0];
    }

    /** Reads the file's records one by one from an offset. */
    private final class Cursor {
        private int pos;

        Cursor(int pos) {
            this.pos = pos;
        }

        String[] next() {
            int eol = text.indexOf('\n', pos);
            String line = text.substring(pos, eol < 0 ? text.length() : eol);
            pos = eol + 1;
            return ModelText.fields(line);
        }
    }

    /**
     * Builds the block from line {@code i} on into {@code spec}, whose object is {@code target};
     * {@code mixee} is the command a mixin block is mixed into. Returns the command's subcommands.
     */
    private String[] build(Cursor in, CommandSpec spec, Object target, CommandSpec mixee) {
        String[] subs = new String[0];
        Deque<Frame> open = new ArrayDeque<>();
        Frame cur = new Frame(spec, target, null, mixee);
        while (true) {
            String[] f = in.next();
            switch (f[0]) {
                case "name" -> cur.spec.name(f[1]);
                case "aliases" -> cur.spec.aliases(rest(f));
                case "description" -> cur.spec.usageMessage().description(rest(f));
                case "version" -> cur.spec.versionProvider((IVersionProvider) newInstance(f[1]));
                case "sub" -> subs = rest(f);
                case "spec" -> Binding.field(cur.target, field(f[1], f[2])).set(f[3].equals("MIXEE") ? cur.mixee : cur.spec);
                case "mixin" -> {
                    Object m;
                    if (f[2] == null) {
                        m = newInstance(f[4]);
                    } else {
                        Binding holder = Binding.field(cur.target, field(f[2], f[3]));
                        m = holder.get();
                        if (m == null) {
                            m = newInstance(f[4]);
                            holder.set(m);
                        }
                    }
                    open.push(cur);
                    cur = new Frame(CommandSpec.wrapWithoutInspection(m), m, f[1], cur.spec);
                }
                case "option", "positional" -> arg(f, in, cur);
                case "end" -> {
                    if (open.isEmpty()) {
                        return subs;
                    }
                    Frame mixin = cur;
                    cur = open.pop();
                    cur.spec.addMixin(mixin.name, mixin.spec);
                }
                default -> throw new IllegalStateException("command model: unknown record " + f[0]);
            }
        }
    }

    /** One option or positional parameter, from its head {@code head} and the records that follow to its end. */
    private void arg(String[] head, Cursor in, Frame cur) {
        Binding binding;
        if (head[1].equals("field")) {
            binding = Binding.field(cur.target, field(head[2], head[3]));
        } else {
            try {
                Method m = Class.forName(head[2], false, loader()).getDeclaredMethod(head[3], type(head[4]));
                binding = Binding.method(cur.target, accessible(m));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("command model: " + head[2] + "." + head[3] + ": " + e, e);
            }
        }
        boolean option = head[0].equals("option");
        OptionSpec.Builder o = option ? OptionSpec.builder(rest(in.next())) : null;
        PositionalParamSpec.Builder p = option ? null : PositionalParamSpec.builder();
        Common c = new Common();
        while (true) {
            String[] f = in.next();
            switch (f[0]) {
                case "help" -> o.help(true);
                case "usageHelp" -> o.usageHelp(true);
                case "versionHelp" -> o.versionHelp(true);
                case "negatable" -> o.negatable(true);
                case "fallbackValue" -> o.fallbackValue(f[1]);
                case "order" -> o.order(Integer.parseInt(f[1]));
                case "index" -> p.index(range(f));
                case "arity" -> c.arity = range(f);
                case "required" -> c.required = true;
                case "paramLabel" -> c.paramLabel = f[1];
                case "hideParamSyntax" -> c.hideParamSyntax = true;
                case "description" -> c.description = rest(f);
                case "descriptionKey" -> c.descriptionKey = f[1];
                case "split" -> {
                    c.split = f[1];
                    c.splitLabel = f[2];
                }
                case "hidden" -> c.hidden = true;
                case "defaultValue" -> c.defaultValue = f[1];
                case "mapFallbackValue" -> c.mapFallbackValue = f[1];
                case "showDefaultValue" -> c.showDefaultValue = CommandLine.Help.Visibility.valueOf(f[1]);
                case "scopeType" -> c.scopeType = CommandLine.ScopeType.valueOf(f[1]);
                case "echo" -> c.echo = true;
                case "prompt" -> c.prompt = f[1];
                case "type" -> {
                    c.type = type(f[1]);
                    c.aux = new Class<?>[f.length - 2];
                    for (int k = 2; k < f.length; k++) {
                        c.aux[k - 2] = type(f[k]);
                    }
                }
                case "hasInitialValue" -> c.hasInitialValue = true;
                case "toString" -> c.toString = f[1];
                case "end" -> {
                    Object initial = c.hasInitialValue ? initial(binding) : null;
                    // the same calls on either builder (their common base class is not public)
                    if (option) {
                        o.arity(c.arity).required(c.required).paramLabel(c.paramLabel).hideParamSyntax(c.hideParamSyntax)
                                .description(c.description).descriptionKey(c.descriptionKey).splitRegex(c.split)
                                .splitRegexSynopsisLabel(c.splitLabel).hidden(c.hidden).defaultValue(c.defaultValue)
                                .showDefaultValue(c.showDefaultValue).scopeType(c.scopeType).echo(c.echo).prompt(c.prompt)
                                .type(c.type).auxiliaryTypes(c.aux).hasInitialValue(c.hasInitialValue).initialValue(initial)
                                .withToString(c.toString).getter(binding).setter(binding).scope(binding.getScope())
                                .userObject(binding.member());
                        o.mapFallbackValue(c.mapFallbackValue);
                        cur.spec.addOption(o.build());
                    } else {
                        p.arity(c.arity).required(c.required).paramLabel(c.paramLabel).hideParamSyntax(c.hideParamSyntax)
                                .description(c.description).descriptionKey(c.descriptionKey).splitRegex(c.split)
                                .splitRegexSynopsisLabel(c.splitLabel).hidden(c.hidden).defaultValue(c.defaultValue)
                                .showDefaultValue(c.showDefaultValue).scopeType(c.scopeType).echo(c.echo).prompt(c.prompt)
                                .type(c.type).auxiliaryTypes(c.aux).hasInitialValue(c.hasInitialValue).initialValue(initial)
                                .withToString(c.toString).getter(binding).setter(binding).scope(binding.getScope())
                                .userObject(binding.member());
                        p.mapFallbackValue(c.mapFallbackValue);
                        cur.spec.addPositional(p.build());
                    }
                    return;
                }
                default -> throw new IllegalStateException("command model: unknown record " + f[0]);
            }
        }
    }

    /** A field's value when the model is built, as picocli takes it for the value to reset to before parsing. */
    private static Object initial(Binding binding) {
        return binding instanceof Binding.FieldValue v ? v.get() : null;
    }

    /** The attributes options and positional parameters share, at the defaults of picocli's annotations. */
    private static final class Common {
        Range arity;
        boolean required;
        String paramLabel;
        boolean hideParamSyntax;
        String[] description = new String[0];
        String descriptionKey = "";
        String split = "";
        String splitLabel = "";
        boolean hidden;
        String defaultValue;
        String mapFallbackValue = "__unspecified__";
        CommandLine.Help.Visibility showDefaultValue = CommandLine.Help.Visibility.ON_DEMAND;
        CommandLine.ScopeType scopeType = CommandLine.ScopeType.LOCAL;
        boolean echo;
        String prompt = "";
        Class<?> type;
        Class<?>[] aux;
        boolean hasInitialValue;
        String toString;
    }

    private static String[] rest(String[] f) {
        return Arrays.copyOfRange(f, 1, f.length);
    }

    private static Range range(String[] f) {
        return new Range(Integer.parseInt(f[1]), Integer.parseInt(f[2]), Boolean.parseBoolean(f[3]), Boolean.parseBoolean(f[4]), f[5]);
    }

    private static ClassLoader loader() {
        return CommandModels.class.getClassLoader();
    }

    private static Class<?> type(String name) {
        Class<?> p = PRIMITIVES.get(name);
        if (p != null) {
            return p;
        }
        try {
            return Class.forName(name, false, loader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("command model: no class " + name + ": build the cli jar again", e);
        }
    }

    private static Object newInstance(String type) {
        try {
            Constructor<?> c = Class.forName(type, true, loader()).getDeclaredConstructor();
            return accessible(c).newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("command model: cannot make a " + type + ": " + e, e);
        }
    }

    private static Field field(String type, String name) {
        try {
            return Class.forName(type, false, loader()).getDeclaredField(name);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("command model: no field " + type + "." + name + ": build the cli jar again", e);
        }
    }

    private static <T extends AccessibleObject> T accessible(T member) {
        member.setAccessible(true);
        return member;
    }

    /** A block being built: a command or a mixin, its object, its name as a mixin, and the spec it is mixed into. */
    private static final class Frame {
        final CommandSpec spec;
        final Object target;
        final String name;
        final CommandSpec mixee;

        Frame(CommandSpec spec, Object target, String name, CommandSpec mixee) {
            this.spec = spec;
            this.target = target;
            this.name = name;
            this.mixee = mixee;
        }
    }

    /** For tests: the classes the file has a model of. */
    List<String> types() {
        return List.copyOf(starts.keySet());
    }
}
