package io.shoal.net.plane;

import io.shoal.net.sys.CommandException;
import io.shoal.net.sys.ProcessShell;
import io.shoal.net.sys.Shell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Network namespaces for root tests, all named {@code <run prefix>-...} with a random per-run prefix so
 * that parallel runs and other engineers' namespaces never collide; {@link #close} removes every
 * namespace carrying the prefix, including ones made by the code under test.
 */
public final class TestNetns implements AutoCloseable {
    public final Shell shell = new ProcessShell();
    public final String prefix = "sht" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    private final List<Process> servers = new ArrayList<>();

    public static void assumeRoot() {
        assumeTrue(!"false".equals(System.getProperty("shoal.e2e")), "shoal.e2e=false");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip")), "needs ip");
    }

    public String name(String suffix) {
        return prefix + "-" + suffix;
    }

    public String add(String suffix) {
        String ns = name(suffix);
        shell.run("ip", "netns", "add", ns);
        shell.run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** An underlay: namespace {@code ul} with a bridge, and one host namespace per address, wired to it. */
    public List<String> underlay(String... hostIps) {
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
    public int exec(String ns, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(cmd));
        try {
            shell.run(argv, null);
            return 0;
        } catch (CommandException e) {
            return e.exitCode();
        }
    }

    public String out(String ns, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(cmd));
        return shell.run(argv, null);
    }

    /** Ping succeeds: waits up to 5 s for the first reply (ping's own deadline, no sleeping here). */
    public boolean reaches(String ns, String ip) {
        return exec(ns, "ping", "-c", "1", "-w", "5", ip) == 0;
    }

    /** Ping gets no reply within 1 s (used only where a positive check shows the path otherwise works). */
    public boolean cannotReach(String ns, String ip) {
        return exec(ns, "ping", "-c", "1", "-w", "1", ip) != 0;
    }

    public List<String> all() {
        List<String> out = new ArrayList<>();
        for (String line : shell.run("ip", "netns", "list").split("\n")) {
            String n = line.trim().split("\\s+")[0];
            if (n.startsWith(prefix)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Starts a TCP server in {@code ns} on {@code port} (all addresses) that answers every connection
     * with {@code reply} and closes it (busybox nc); {@link #close} stops it. Waits until it accepts.
     */
    public Process serve(String ns, int port, String reply) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, "busybox", "nc", "-ll", "-p", Integer.toString(port),
                    "-e", "echo", reply).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            servers.add(p);
            for (int i = 0; i < 100 && !fetch(ns, "127.0.0.1", port).equals(reply); i++) {
                Thread.sleep(20);
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Connects from {@code ns} to ip:port and returns what the server said, or "" when it could not connect. */
    public String fetch(String ns, String ip, int port) {
        try {
            return out(ns, "busybox", "nc", "-w", "2", ip, Integer.toString(port)).strip();
        } catch (CommandException e) {
            return "";
        }
    }

    public static boolean haveBusybox() {
        return Files.isExecutable(Path.of("/usr/bin/busybox")) || Files.isExecutable(Path.of("/bin/busybox"));
    }

    @Override
    public void close() {
        for (Process p : servers) {
            p.destroyForcibly();
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        servers.clear();
        for (String ns : all()) {
            try {
                shell.run("ip", "netns", "del", ns);
            } catch (CommandException e) {
                System.err.println("cleanup: " + e.getMessage());
            }
        }
    }
}
