package io.shoal.cli.model;

import io.shoal.cli.CommandPaths;
import io.shoal.cli.ShoalCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command model built from the file written at build time ({@link CommandModels}) is picocli's own
 * model of the annotated classes, for every command of the tree: names, aliases, descriptions, options
 * and positional parameters with every attribute (arity, types, defaults, labels, scopes, initial
 * values, bindings), mixins, subcommands, parser and usage settings, and the usage text. A command,
 * option or attribute added to the annotations is covered without touching this test; one the file
 * cannot carry fails the build in {@link ModelGenerator}.
 */
class GeneratedModelTest {
    private static final String TREE = ShoalCommand.class.getName();

    @Test
    void everyCommandsModelIsPicocliModelOfItsAnnotations() {
        CommandLine reflective = new CommandLine(new ShoalCommand());
        CommandLine generated = CommandModels.get().commandLine(TREE, s -> true);
        List<List<String>> paths = new ArrayList<>();
        paths.add(List.of());
        paths.addAll(CommandPaths.under(reflective));
        assertTrue(paths.size() > 50, "commands found: " + paths.size());
        for (List<String> path : paths) {
            CommandLine r = CommandPaths.find(reflective, path);
            CommandLine g = CommandPaths.find(generated, path);
            assertNotNull(g, path + ": not in the generated model");
            assertEquals(describe(r.getCommandSpec()), describe(g.getCommandSpec()), "shoal " + String.join(" ", path));
            assertEquals(r.getUsageMessage(), g.getUsageMessage(), "shoal " + String.join(" ", path) + ": usage");
        }
    }

    @Test
    void oneCommandBuiltAloneIsTheSameAsInTheWholeTree() {
        CommandModels models = CommandModels.get();
        CommandLine reflective = new CommandLine(new ShoalCommand());
        List<List<String>> paths = CommandPaths.under(reflective);
        for (List<String> path : paths) {
            if (path.size() != 2) {
                continue;
            }
            String group = models.subcommand(TREE, path.get(0));
            String leaf = models.subcommand(group, path.get(1));
            assertNotNull(leaf, "shoal " + String.join(" ", path));
            CommandLine root = models.commandLine("io.shoal.cli.RootCommand", s -> false);
            CommandLine g = models.commandLine(group, leaf::equals);
            root.addSubcommand(g.getCommandName(), g);
            assertEquals(describe(CommandPaths.find(reflective, path).getCommandSpec()),
                    describe(CommandPaths.find(root, path).getCommandSpec()), "shoal " + String.join(" ", path));
        }
    }

    @Test
    void theFileIsTheOneTheClassesGiveNow() throws Exception {
        try (InputStream in = CommandModels.class.getResourceAsStream(CommandModels.FILE)) {
            assertNotNull(in, "no " + CommandModels.FILE + " beside " + CommandModels.class.getName());
            assertEquals(ModelGenerator.generate(), new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "the command model file is stale: build the cli module again");
        }
    }

    /** Every attribute of a command's model that picocli's public API shows, as text. */
    private static String describe(CommandSpec s) {
        StringBuilder b = new StringBuilder();
        b.append("name=").append(s.name()).append(" aliases=").append(Arrays.toString(s.aliases()))
                .append(" qualified=").append(s.qualifiedName()).append(" object=").append(s.userObject().getClass().getName())
                .append(" version=").append(s.versionProvider() == null ? null : s.versionProvider().getClass().getName())
                .append(" standardHelp=").append(s.mixinStandardHelpOptions())
                .append(" subcommands=").append(s.subcommands().keySet())
                .append(" mixins=").append(s.mixins().keySet())
                .append(" exit=").append(s.exitCodeOnSuccess()).append('/').append(s.exitCodeOnUsageHelp()).append('/')
                .append(s.exitCodeOnVersionHelp()).append('/').append(s.exitCodeOnInvalidInput()).append('/')
                .append(s.exitCodeOnExecutionException())
                .append(" scope=").append(s.scopeType()).append(" inherited=").append(s.inherited())
                .append(" interpolate=").append(s.interpolateVariables()).append('\n');
        CommandLine.Model.ParserSpec p = s.parser();
        b.append("parser: separator=").append(p.separator()).append(" stopAtPositional=").append(p.stopAtPositional())
                .append(" stopAtUnmatched=").append(p.stopAtUnmatched()).append(" posix=").append(p.posixClusteredShortOptionsAllowed())
                .append(" unmatchedPositional=").append(p.unmatchedOptionsArePositionalParams())
                .append(" overwritten=").append(p.overwrittenOptionsAllowed()).append(" caseInsensitive=")
                .append(p.caseInsensitiveEnumValuesAllowed()).append(" endOfOptions=").append(p.endOfOptionsDelimiter()).append('\n');
        UsageMessageSpec u = s.usageMessage();
        b.append("usage: description=").append(Arrays.toString(u.description())).append(" header=").append(Arrays.toString(u.header()))
                .append(" footer=").append(Arrays.toString(u.footer())).append(" synopsis=").append(Arrays.toString(u.customSynopsis()))
                .append(" hidden=").append(u.hidden()).append(" sortOptions=").append(u.sortOptions())
                .append(" showDefaults=").append(u.showDefaultValues()).append(" width=").append(u.width())
                .append(" abbreviate=").append(u.abbreviateSynopsis()).append('\n');
        for (Map.Entry<String, CommandSpec> m : s.mixins().entrySet()) {
            b.append("mixin ").append(m.getKey()).append(": object=").append(m.getValue().userObject().getClass().getName())
                    .append(" options=").append(m.getValue().options().stream().map(OptionSpec::longestName).toList())
                    .append(" mixins=").append(m.getValue().mixins().keySet()).append('\n');
        }
        for (OptionSpec o : s.options()) {
            b.append("option ").append(new LinkedHashSet<>(Arrays.asList(o.names()))).append(" help=").append(o.help())
                    .append(" usageHelp=").append(o.usageHelp()).append(" versionHelp=").append(o.versionHelp())
                    .append(" negatable=").append(o.negatable()).append(" fallback=").append(o.fallbackValue())
                    .append(" order=").append(o.order());
            arg(o, b);
        }
        for (PositionalParamSpec pp : s.positionalParameters()) {
            b.append("positional index=").append(pp.index());
            arg(pp, b);
        }
        return b.toString();
    }

    private static void arg(ArgSpec a, StringBuilder b) {
        b.append(" arity=").append(a.arity()).append(a.arity().isUnspecified() ? "(unspecified)" : "")
                .append(" required=").append(a.required()).append(" label=").append(a.paramLabel())
                .append(" hideSyntax=").append(a.hideParamSyntax()).append(" description=").append(Arrays.toString(a.description()))
                .append(" key=").append(a.descriptionKey()).append(" split=").append(a.splitRegex()).append('/')
                .append(a.splitRegexSynopsisLabel()).append(" hidden=").append(a.hidden())
                .append(" default=").append(a.defaultValue()).append(" defaultString=").append(a.defaultValueString())
                .append(" mapFallback=").append(a.mapFallbackValue()).append(" showDefault=").append(a.showDefaultValue())
                .append(" scope=").append(a.scopeType()).append(" inherited=").append(a.inherited())
                .append(" interactive=").append(a.interactive()).append(" echo=").append(a.echo()).append(" prompt=").append(a.prompt())
                .append(" type=").append(a.type().getName()).append(" aux=").append(Arrays.toString(a.auxiliaryTypes()))
                .append(" multi=").append(a.isMultiValue()).append(" collection=").append(a.typeInfo().isCollection())
                .append(" map=").append(a.typeInfo().isMap()).append(" array=").append(a.typeInfo().isArray())
                .append(" boolean=").append(a.typeInfo().isBoolean()).append(" enum=").append(a.typeInfo().isEnum())
                .append(" optional=").append(a.typeInfo().isOptional())
                .append(" candidates=").append(a.completionCandidates()).append(" converters=").append(a.converters().length)
                .append(" toString=").append(a).append(" hasInitial=").append(a.hasInitialValue())
                .append(" initial=").append(String.valueOf((Object) a.initialValue())).append(" value=").append(String.valueOf((Object) a.getValue()))
                .append(" member=").append(member(a.userObject()))
                .append(" target=").append(a.inherited() ? "the parent's" : target(a)).append('\n');
    }

    private static String member(Object o) {
        return o instanceof Field f ? "field " + f.getDeclaringClass().getName() + "." + f.getName() : String.valueOf(o);
    }

    /**
     * The class of the object the argument's value goes to (the command, or one of its mixins); an
     * inherited option's is its parent's (RootCommand or ShoalCommand), checked where it is declared.
     */
    private static String target(ArgSpec a) {
        try {
            Object t = a.scope().get();
            return t == null ? null : t.getClass().getName();
        } catch (Exception e) {
            return e.toString();
        }
    }


}
