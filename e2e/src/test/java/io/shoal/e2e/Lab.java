package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The end-to-end tests' handle on {@code deploy/lab.sh}: the same script the quick start uses makes
 * the namespaced hosts, runs one real {@code shoal daemon} per host and tears everything down.
 * The daemons run the current build's {@code shoal} unless the lab is given another launcher (an
 * earlier release's, for UpgradeIT); the CLI commands always run the current build's.
 */
final class Lab implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path REPO = repo();

    final String name;
    final Path dir;
    /** the {@code shoal} launcher this lab starts its daemons (and their init and join) with */
    private final Path launcher;

    private static Path repo() {
        String p = System.getProperty("shoal.repo");
        Path d = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        while (d != null && !Files.exists(d.resolve("deploy/lab.sh"))) {
            d = d.getParent();
        }
        if (d == null) {
            throw new IllegalStateException("cannot find the repository (deploy/lab.sh)");
        }
        return d;
    }

    /** True where the end-to-end layer can run: root, ip netns, and not switched off with -Dshoal.e2e=false. */
    static boolean available() {
        if ("false".equals(System.getProperty("shoal.e2e"))) {
            return false;
        }
        boolean ip = Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"));
        return ip && "root".equals(System.getProperty("user.name"));
    }

    Lab(String name) {
        this(name, REPO.resolve("shoal"));
    }

    /** A lab whose daemons run LAUNCHER (lab.sh's SHOAL_BIN), e.g. an earlier release's build. */
    Lab(String name, Path launcher) {
        this.name = name;
        this.dir = REPO.resolve(".lab").resolve(name);
        this.launcher = launcher;
    }

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** Starts the lab's registry (on h1) with a busybox image; returns the image's reference. */
    String registry() {
        Result r = lab(Duration.ofMinutes(2), "registry", "--name", name, "--dir", dir.toString());
        if (r.code() != 0) {
            throw new AssertionError("registry: " + r.all());
        }
        return r.out().strip();
    }

    Result lab(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("deploy/lab.sh").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, timeout);
    }

    static Result run(List<String> cmd, Duration timeout) {
        return run(cmd, timeout, Map.of());
    }

    static Result run(List<String> cmd, Duration timeout, Map<String, String> env) {
        try {
            Path out = Files.createTempFile("lab-out", ".txt");
            Path err = Files.createTempFile("lab-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", cmd)
                            + "\n" + Files.readString(out) + Files.readString(err));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The addresses the resolver at {@code resolver} (in namespace {@code sandbox}) gives for {@code name}. */
    static Set<String> resolve(String sandbox, String resolver, String name) {
        Lab.Result r = Lab.run(List.of("ip", "netns", "exec", sandbox, "busybox", "nslookup", name, resolver), Duration.ofSeconds(5));
        Set<String> out = new TreeSet<>();
        boolean answers = false;
        for (String line : r.out().split("\n")) {
            if (line.startsWith("Name:")) {
                answers = true;
            } else if (answers && line.startsWith("Address")) {
                out.add(line.replaceAll("^Address( \\d+)?:\\s*", "").trim());
            }
        }
        return out;
    }

    Result up(int managers, int workers, String subnet) {
        return up(managers, workers, subnet, "");
    }

    /** As {@link #up(int, int, String)}, with extra arguments for {@code shoal init} (words). */
    Result up(int managers, int workers, String subnet, String initArgs) {
        return up(managers, workers, subnet, initArgs, "");
    }

    /** As {@link #up(int, int, String, String)}, with extra arguments for every {@code shoal daemon} (words). */
    Result up(int managers, int workers, String subnet, String initArgs, String daemonArgs) {
        return run(List.of(REPO.resolve("deploy/lab.sh").toString(), "up", "--name", name, "--managers", String.valueOf(managers),
                "--workers", String.valueOf(workers), "--dir", dir.toString(), "--subnet", subnet), Duration.ofMinutes(5),
                Map.of("SHOAL_LAB_INIT_ARGS", initArgs, "SHOAL_LAB_DAEMON_ARGS", daemonArgs, "SHOAL_BIN", launcher.toString()));
    }

    /** {@code shoal ARGS} against the daemon of {@code host} (h1, h2, ...). */
    Result cli(String host, String... args) {
        List<String> a = new ArrayList<>(List.of("cli", host));
        a.addAll(List.of(args));
        return lab(Duration.ofSeconds(90), withName(a));
    }

    /** {@code shoal ARGS} against the daemon of {@code host}, run by LAUNCHER (another build's client). */
    Result cli(Path launcher, String host, String... args) {
        List<String> a = new ArrayList<>(List.of(REPO.resolve("deploy/lab.sh").toString()));
        List<String> rest = new ArrayList<>(List.of("cli", host));
        rest.addAll(List.of(args));
        a.addAll(List.of(withName(rest)));
        return run(a, Duration.ofSeconds(90), Map.of("SHOAL_BIN", launcher.toString()));
    }

    private String[] withName(List<String> args) {
        List<String> a = new ArrayList<>(args);
        a.addAll(1, List.of("--name", name, "--dir", dir.toString()));
        return a.toArray(String[]::new);
    }

    /** A command left running in the background ({@link #background}); its output goes to a file. */
    static final class Background implements AutoCloseable {
        private final Process process;
        private final Path out;

        Background(Process process, Path out) {
            this.process = process;
            this.out = out;
        }

        /** What it printed so far. */
        String output() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new AssertionError("cannot read " + out + ": " + e.getMessage(), e);
            }
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Stops it and everything it started. */
        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                Files.deleteIfExists(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // a temp file left behind
            }
        }
    }

    /** {@code shoal ARGS} against HOST's daemon, left running (e.g. {@code events}); stop it with close. */
    Background background(String host, String... args) {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("deploy/lab.sh").toString()));
        List<String> a = new ArrayList<>(List.of("cli", host));
        a.addAll(List.of(args));
        cmd.addAll(List.of(withName(a)));
        try {
            Path out = Files.createTempFile("lab-bg", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
            return new Background(pb.start(), out);
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e.getMessage(), e);
        }
    }

    /** Runs CMD inside HOST's namespaces (lab.sh exec). */
    Result exec(String host, String... cmd) {
        List<String> a = new ArrayList<>(List.of("exec", host));
        a.addAll(List.of(cmd));
        return lab(Duration.ofSeconds(60), withName(a));
    }

    Result host(String op, String host) {
        return host(op, host, launcher);
    }

    /** As {@link #host(String, String)}, starting the daemon from LAUNCHER (another build than the lab's). */
    Result host(String op, String host, Path launcher) {
        List<String> cmd = new ArrayList<>(List.of(REPO.resolve("deploy/lab.sh").toString()));
        cmd.addAll(List.of(withName(List.of(op, host))));
        return run(cmd, Duration.ofSeconds(60), Map.of("SHOAL_BIN", launcher.toString()));
    }

    String ip(String host) {
        return lab(Duration.ofSeconds(10), withName(List.of("ip", host))).out().trim();
    }

    Path hostDir(String host) {
        return dir.resolve(host);
    }

    long daemonPid(String host) throws IOException {
        return Long.parseLong(Files.readString(hostDir(host).resolve("daemon.pid")).trim());
    }

    /** {@code shoal ARGS} on {@code host}, which must succeed; a failure names the command and shows the host's log. */
    Result ok(String host, String... args) {
        Result r = cli(host, args);
        assertEquals(0, r.code(), () -> "shoal " + String.join(" ", args) + " on " + host + ": " + r.all() + "\n" + log(host));
        return r;
    }

    /** A command's output read as JSON. */
    static JsonNode json(Result r) {
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.out(), e);
        }
    }

    String log(String host) {
        try {
            Path p = hostDir(host).resolve("daemon.log");
            if (!Files.exists(p)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(p);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(unreadable log: " + e.getMessage() + ")";
        }
    }

    /** Retries {@code shoal ARGS} on {@code host} until {@code ok} accepts the result; returns it. */
    Result awaitCli(String host, Duration timeout, Predicate<Result> ok, String... args) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Result last = null;
        while (System.nanoTime() < deadline) {
            last = cli(host, args);
            if (ok.test(last)) {
                return last;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("timed out: shoal " + String.join(" ", args) + " on " + host + "; last: "
                + (last == null ? "none" : "exit " + last.code() + "\n" + last.all()) + "\n--- " + host + " log:\n" + log(host));
    }

    @Override
    public void close() {
        // -Dshoal.e2e.keep=true keeps the hosts' directories (daemon logs, data) for a post-mortem
        Result r = Boolean.getBoolean("shoal.e2e.keep")
                ? lab(Duration.ofMinutes(2), "down", "--name", name, "--dir", dir.toString(), "--keep")
                : lab(Duration.ofMinutes(2), "down", "--name", name, "--dir", dir.toString());
        if (r.code() != 0) {
            System.err.println("lab down failed: " + r.all());
        }
    }
}
