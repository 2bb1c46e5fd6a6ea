package io.shoal.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Paths through a picocli command tree, for the tests that compare one model of the tree with another. */
public final class CommandPaths {
    private CommandPaths() {}

    /** Every command's path under {@code root}, each name and alias once, a parent before its children. */
    public static List<List<String>> under(CommandLine root) {
        List<List<String>> paths = new ArrayList<>();
        walk(root, List.of(), paths);
        return paths;
    }

    /** The command at {@code path} under {@code root}, or null when the tree has none there. */
    public static CommandLine find(CommandLine root, List<String> path) {
        CommandLine c = root;
        for (String name : path) {
            c = c == null ? null : c.getSubcommands().get(name);
        }
        return c;
    }

    private static void walk(CommandLine cl, List<String> path, List<List<String>> paths) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            paths.add(p);
            walk(e.getValue(), p, paths);
        }
    }
}
