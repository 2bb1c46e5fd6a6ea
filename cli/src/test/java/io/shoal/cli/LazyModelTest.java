package io.shoal.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model {@link Main#commandLine} builds for one command agrees with the whole tree's
 * ({@link ShoalCommand}, what help, completion and man pages are made from) for every command there
 * is: the same usage text, parser settings, and the same result for every option it takes. A new
 * command, alias or option is covered without touching this test.
 */
class LazyModelTest {
    private static final String HOST = "unix:///nonexistent/x.sock";

    @Test
    void everyCommandsModelAgreesWithTheWholeTree() {
        List<List<String>> paths = CommandPaths.under(whole());
        assertTrue(paths.size() > 50, "commands found: " + paths.size());
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(List.of("-H", HOST));
            args.addAll(path);
            CommandLine whole = CommandPaths.find(whole(), path);
            CommandLine lazy = CommandPaths.find(Main.commandLine(args.toArray(String[]::new)), path);
            String what = String.join(" ", path);
            assertNotNull(lazy, what + ": not in the lazy model");
            if (!whole.getSubcommands().isEmpty()) {
                continue; // a group: named alone, it gets its whole subtree (CliTest)
            }
            assertEquals(whole.getUsageMessage(), lazy.getUsageMessage(), what + ": usage");
            assertEquals(parser(whole), parser(lazy), what + ": parser settings");
            int options = 0;
            for (OptionSpec o : whole.getCommandSpec().options()) {
                for (String name : o.names()) {
                    List<String> withOption = new ArrayList<>(args);
                    withOption.add(name);
                    if (o.arity().max() > 0) {
                        withOption.add("1");
                    }
                    String expected = parse(whole(), withOption);
                    assertEquals(expected, parse(Main.commandLine(withOption.toArray(String[]::new)), withOption),
                            String.join(" ", withOption));
                    options++;
                }
            }
            assertTrue(options >= 2, what + ": --help and --version at least");
        }
    }

    /** The whole tree as {@link Main} runs it for help and usage errors (no command named). */
    private static CommandLine whole() {
        return Main.commandLine(new String[0]);
    }



    private static String parser(CommandLine c) {
        CommandSpec s = c.getCommandSpec();
        return "stopAtPositional=" + s.parser().stopAtPositional() + " stopAtUnmatched=" + s.parser().stopAtUnmatched()
                + " unmatchedOptionsArePositional=" + s.parser().unmatchedOptionsArePositionalParams()
                + " posix=" + s.parser().posixClusteredShortOptionsAllowed() + " qualified=" + s.qualifiedName();
    }

    /** What parsing {@code args} gives: the command reached with its matched options and positionals, or the error. */
    private static String parse(CommandLine root, List<String> args) {
        try {
            CommandLine.ParseResult r = root.parseArgs(args.toArray(String[]::new));
            while (r.hasSubcommand()) {
                r = r.subcommand();
            }
            StringBuilder b = new StringBuilder(r.commandSpec().qualifiedName());
            for (OptionSpec o : r.matchedOptions()) {
                b.append(' ').append(o.longestName()).append('=').append(show(o.getValue()));
            }
            r.matchedPositionals().forEach(p -> b.append(' ').append(p.paramLabel()).append('=').append(show(p.getValue())));
            return b.toString();
        } catch (CommandLine.ParameterException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    private static String show(Object value) {
        return value instanceof Object[] a ? Arrays.deepToString(a) : String.valueOf(value);
    }
}
