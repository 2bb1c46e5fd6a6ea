package io.shoal.net.plane;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shoal.net.sys.CommandException;
import io.shoal.net.sys.ProcessShell;
import io.shoal.net.sys.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network namespaces for root tests, all named {@code <run prefix>-...} with a random per-run prefix so
 * that parallel runs and other engineers' namespaces never collide; {@link #close} removes every
 * namespace carrying the prefix, including ones made by the code under test.
 */
final class TestNetns implements AutoCloseable {
    final Shell shell = new ProcessShell();
    final String prefix = "sht" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());

    static void assumeRoot() {
        assumeTrue(!"false".equals(System.getProperty("shoal.e2e")), "shoal.e2e=false");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")), "needs ip");
    }

    String name(String suffix) {
        return prefix + "-" + suffix;
    }

    String add(String suffix) {
        String ns = name(suffix);
        shell.run("ip", "netns", "add", ns);
        shell.run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** An underlay: namespace {@code ul} with a bridge, and one host namespace per address, wired to it. */
    List<String> underlay(String... hostIps) {
        String ul = add("ul");
        shell.run(List.of("ip", "-n", ul, "-batch", "-"), "link add name ubr type bridge\nlink set ubr up\n");
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < hostIps.length; i++) {
            String h = add("h" + i);
            shell.run(List.of("ip", "-n", ul, "-batch", "-"),
                    "link add p" + i + " type veth peer name eth0 netns " + h + "\nlink set p" + i + " master ubr up\n");
            shell.run(List.of("ip", "-n", h, "-batch", "-"),
                    "addr add " + hostIps[i] + "/24 dev eth0\nlink set eth0 up\n");
            hosts.add(h);
        }
        return hosts;
    }

    /** Runs a command inside a namespace; returns the exit code instead of throwing. */
    int exec(String ns, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(cmd));
        try {
            shell.run(argv, null);
            return 0;
        } catch (CommandException e) {
            return e.exitCode();
        }
    }

    String out(String ns, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(cmd));
        return shell.run(argv, null);
    }

    /** Ping succeeds: waits up to 5 s for the first reply (ping's own deadline, no sleeping here). */
    boolean reaches(String ns, String ip) {
        return exec(ns, "ping", "-c", "1", "-w", "5", ip) == 0;
    }

    /** Ping gets no reply within 1 s (used only where a positive check shows the path otherwise works). */
    boolean cannotReach(String ns, String ip) {
        return exec(ns, "ping", "-c", "1", "-w", "1", ip) != 0;
    }

    List<String> all() {
        List<String> out = new ArrayList<>();
        for (String line : shell.run("ip", "netns", "list").split("\n")) {
            String n = line.trim().split("\\s+")[0];
            if (n.startsWith(prefix)) {
                out.add(n);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (String ns : all()) {
            try {
                shell.run("ip", "netns", "del", ns);
            } catch (CommandException e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
    }
}
