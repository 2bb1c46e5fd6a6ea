package io.shoal.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the flag parsers of every {@code shoal} command (but {@code daemon}, which would start one,
 * {@code ca}, which writes files, and {@code unlock}, which reads its key from stdin; no value is
 * "-", which reads stdin) with random flags and values, against a daemon address where
 * nothing listens. Properties: {@code Main.run} returns (within a deadline), and what it prints on
 * stderr is at most "Error: one line" plus the usual "See '... --help'." hint, never a stack trace.
 * {@code -Dshoal.fuzz.runs} and {@code -Dshoal.fuzz.seed} size and replay the run.
 */
class FlagsFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40) * 25;
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    static final Set<String> SKIPPED = Set.of("daemon", "ca", "unlock");
    static final List<String> VALUES = List.of("", "0", "-1", "1", "3", "99999999999999999999", "1.5", "abc", "1s",
            "500ms", "-5s", "1m30s", "64M", "1.5G", "-1M", "9999999999T", "a=b", "=", "a=", "=b", "a==b", "k=v=w",
            "node.role==manager", "node.role!=", "spread=", "spread=node.labels.z", "80:8080", "8080:80/tcp",
            "published=80,target=8080", "published=99999,target=0", "type=bind,source=/tmp,target=/x", "type=volume",
            "source=,target=", "on-failure", "any", "none", "pause", "continue", "rollback", "start-first",
            "{{.ID}}", "{{", "{{.Nope}}", "json", "table {{.Name}}", "busybox", "Busy Box", "localhost:5000/a:b",
            "sha256:zz", "::1", "10.0.0.0/8", "300.1.1.1/40", "\u0000", "ü", "x".repeat(5000), "--", "--help");
    static final String NOWHERE = "unix:///nonexistent/shoal-fuzz.sock";

    record Leaf(List<String> path, CommandSpec spec) {}

    static void leaves(CommandLine cl, List<String> path, List<Leaf> out) {
        if (cl.getSubcommands().isEmpty()) {
            out.add(new Leaf(path, cl.getCommandSpec()));
        }
        cl.getSubcommands().forEach((name, sub) -> {
            if (!SKIPPED.contains(name) && sub.getCommandName().equals(name)) {
                List<String> p = new ArrayList<>(path);
                p.add(name);
                leaves(sub, p, out);
            }
        });
    }

    static List<String> args(Random r, Leaf leaf) {
        List<String> args = new ArrayList<>(List.of("-H", NOWHERE));
        args.addAll(leaf.path());
        List<OptionSpec> options = leaf.spec().options().stream()
                .filter(o -> !o.longestName().equals("--host") && !o.usageHelp() && !o.versionHelp()).toList();
        for (int n = r.nextInt(6); n > 0 && !options.isEmpty(); n--) {
            OptionSpec o = options.get(r.nextInt(options.size()));
            String name = o.names()[r.nextInt(o.names().length)];
            String value = VALUES.get(r.nextInt(VALUES.size()));
            if (o.arity().max() == 0) {
                args.add(r.nextInt(5) == 0 ? name + "=" + value : name);
            } else if (r.nextBoolean()) {
                args.add(name + "=" + value);
            } else {
                args.add(name);
                if (r.nextInt(8) > 0) {
                    args.add(value);
                }
            }
        }
        for (int n = r.nextInt(4); n > 0; n--) {
            args.add(VALUES.get(r.nextInt(VALUES.size())));
        }
        return args;
    }

    @Test
    void everyCommandsFlags() throws Exception {
        List<Leaf> leaves = new ArrayList<>();
        leaves(new CommandLine(new ShoalCommand()), List.of(), leaves);
        Random r = new Random(SEED);
        List<String> findings = new ArrayList<>();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        long started = System.nanoTime();
        try {
            for (int i = 0; i < RUNS; i++) {
                List<String> args = args(r, leaves.get(r.nextInt(leaves.size())));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                Future<Integer> run = runner.submit(() -> Main.run(args.toArray(String[]::new),
                        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
                try {
                    run.get(60, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    run.cancel(true);
                    findings.add(args + ": no answer in 60 s");
                    continue;
                } catch (Exception e) {
                    findings.add(args + ": " + e.getCause());
                    continue;
                }
                String e = err.toString(StandardCharsets.UTF_8);
                List<String> lines = e.lines().filter(l -> !l.startsWith("See '") && !l.isBlank()).toList();
                if (e.contains("\tat ") || e.contains("Exception") || lines.size() > 1
                        || !lines.isEmpty() && !lines.get(0).startsWith("Error: ")) {
                    findings.add(args + ": stderr " + e.replace("\n", "\\n").substring(0, Math.min(e.length(), 400)));
                }
            }
        } finally {
            runner.shutdownNow();
        }
        System.out.printf("fuzz CLI flags: %d executions over %d commands in %.1f s, %d findings%n", RUNS, leaves.size(),
                (System.nanoTime() - started) / 1e9, findings.size());
        findings.forEach(f -> System.out.println("  finding: " + f));
        assertTrue(findings.isEmpty(), findings.size() + " findings, the first: " + (findings.isEmpty() ? "" : findings.get(0)));
    }
}
