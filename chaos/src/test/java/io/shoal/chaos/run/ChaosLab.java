package io.shoal.chaos.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The chaos runs' handle on {@code deploy/lab.sh} (the e2e module has its own; test code is not
 * shared between modules): makes the namespaced hosts with one real daemon each, kills and starts
 * daemons, runs commands inside a host's network namespace, and tears everything down.
 */
final class ChaosLab implements AutoCloseable {
    static final Path REPO = repo();
    /** The size of each manager's data filesystem in labs that inject storage faults (lab.sh's SHOAL_LAB_DATA_SIZE). */
    static final String DATA_SIZE = "128M";
    private static final ObjectMapper JSON = new ObjectMapper();

    final String name;
    final Path dir;
    final int managers;
    final int workers;

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    ChaosLab(String name, int managers, int workers) {
        this.name = name;
        this.dir = REPO.resolve(".lab").resolve(name);
        this.managers = managers;
        this.workers = workers;
    }

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

    /** True where real daemons can run: root, ip netns, nft, and not switched off with -Dshoal.e2e=false. */
    static boolean available() {
        if ("false".equals(System.getProperty("shoal.e2e"))) {
            return false;
        }
        return Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of("/usr/sbin/nft"))
                && "root".equals(System.getProperty("user.name"));
    }

    /** Removes a leftover of an earlier run, then makes the hosts and the cluster. */
    void up(String subnet, String initArgs) {
        up(subnet, initArgs, "");
    }

    /**
     * As {@link #up(String, String)}, each manager's data dir on a filesystem of its own of DATA_SIZE
     * (empty: none), which lab.sh's {@code down} unmounts and detaches, also after a failed run.
     */
    void up(String subnet, String initArgs, String dataSize) {
        lab(Duration.ofMinutes(2), "down", "--name", name, "--dir", dir.toString());
        Result r = run(List.of(script(), "up", "--name", name, "--managers", String.valueOf(managers), "--workers",
                String.valueOf(workers), "--dir", dir.toString(), "--subnet", subnet), Duration.ofMinutes(5),
                Map.of("SHOAL_LAB_INIT_ARGS", initArgs, "SHOAL_LAB_DATA_SIZE", dataSize));
        if (r.code() != 0) {
            throw new AssertionError("lab up failed:\n" + r.all());
        }
    }

    List<String> managerHosts() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= managers; i++) {
            out.add("h" + i);
        }
        return out;
    }

    /** True when HOST's data dir is a filesystem of its own (the lab was made with a data size). */
    boolean hasDataFs(String host) {
        return Files.exists(dir.resolve(host).resolve("data.img"));
    }

    /** HOST's whole daemon log. */
    String fullLog(String host) {
        try {
            return Files.readString(dir.resolve(host).resolve("daemon.log"));
        } catch (IOException e) {
            return "";
        }
    }

    Path socket(String host) {
        return dir.resolve(host).resolve("shoal.sock");
    }

    long pid(String host) {
        try {
            return Long.parseLong(Files.readString(dir.resolve(host).resolve("daemon.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            throw new AssertionError("no daemon pid for " + host + ": " + e.getMessage(), e);
        }
    }

    /** kill -9 of HOST's daemon; returns once it is gone. */
    void kill(String host) {
        check(lab(Duration.ofMinutes(1), "kill", "--name", name, host), "kill " + host);
    }

    /** Starts HOST's daemon again; returns once its socket is open. */
    void start(String host) {
        check(lab(Duration.ofMinutes(2), "start", "--name", name, host), "start " + host);
    }

    /** Sends SIGNAL (STOP, CONT) to HOST's daemon. */
    void signal(String host, String signal) {
        check(run(List.of("kill", "-" + signal, String.valueOf(pid(host))), Duration.ofSeconds(10), Map.of()), "kill -" + signal + " " + host);
    }

    /** The namespace of HOST, where its daemon's network lives. */
    String namespace(String host) {
        return name + "-" + host;
    }

    /** HOST's address (lab.sh gives hI the address A.B.C.(10+I)). */
    String ip(String subnet, String host) {
        return subnet + "." + (10 + Integer.parseInt(host.substring(1)));
    }

    /** Runs CMD inside HOST's network namespace with STDIN as its input. */
    Result inHost(String host, String stdin, String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", namespace(host)));
        c.addAll(List.of(cmd));
        try {
            Path in = Files.createTempFile("chaos-in", ".txt");
            try {
                Files.writeString(in, stdin);
                return run(c, Duration.ofSeconds(30), Map.of(), in.toFile());
            } finally {
                Files.deleteIfExists(in);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + c + ": " + e.getMessage(), e);
        }
    }

    /** Starts the lab's registry (on h1) with a busybox image; returns the image's reference. */
    String registry() {
        Result r = lab(Duration.ofMinutes(2), "registry", "--name", name, "--dir", dir.toString());
        check(r, "registry");
        return r.out().strip();
    }

    /**
     * The tasks whose containers run (status running) for HOST's daemon, read from the OCI runtimes'
     * own root: what the host really runs, whatever the managers believe. A daemon runs crun when
     * it is installed, else runc; each lists only its own containers under the shared root, so the
     * host's are the union of both lists.
     */
    Set<String> runningTasks(String host) {
        Set<String> out = new TreeSet<>();
        for (String runtime : List.of("runc", "crun")) {
            if (!Files.isExecutable(Path.of("/usr/sbin", runtime)) && !Files.isExecutable(Path.of("/usr/bin", runtime))) {
                continue;
            }
            List<String> cmd = List.of(runtime, "--root", dir.resolve(host).resolve("data/containers/state").toString(),
                    "list", "--format", "json");
            Result r = run(cmd, Duration.ofSeconds(30), Map.of());
            // a runtime lists the state directory, then reads each container's state: a container removed
            // in between can fail the whole listing with "no such file or directory"; list again
            for (int i = 0; i < 5 && r.code() != 0 && r.all().toLowerCase(Locale.ROOT).contains("no such file or directory"); i++) {
                r = run(cmd, Duration.ofSeconds(30), Map.of());
            }
            check(r, runtime + " list on " + host);
            try {
                JsonNode list = r.out().isBlank() ? null : JSON.readTree(r.out());
                if (list != null && list.isArray()) {
                    for (JsonNode c : list) {
                        String id = c.path("id").asText();
                        if (c.path("status").asText().equals("running") && id.startsWith("shoal-")) {
                            out.add(id.substring("shoal-".length()));
                        }
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(runtime + " list on " + host + " is not JSON: " + r.out(), e);
            }
        }
        return out;
    }

    /**
     * Copies every host's daemon log to {@code target/NAME-hI-daemon.log} before the lab goes: a run's
     * longest windows are explained by what the managers logged then.
     */
    private void keepLogs() {
        for (int i = 1; i <= managers + workers; i++) {
            Path log = dir.resolve("h" + i).resolve("daemon.log");
            Path kept = Path.of("target", name + "-h" + i + "-daemon.log");
            try {
                if (Files.exists(log)) {
                    Files.createDirectories(kept.getParent());
                    Files.copy(log, kept, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                System.err.println("cannot keep " + log + ": " + e.getMessage());
            }
        }
    }

    String log(String host) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(host).resolve("daemon.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void check(Result r, String what) {
        if (r.code() != 0) {
            throw new AssertionError(what + " failed: " + r.all());
        }
    }

    private static String script() {
        return REPO.resolve("deploy/lab.sh").toString();
    }

    private Result lab(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(script()));
        cmd.addAll(List.of(args));
        return run(cmd, timeout, Map.of());
    }

    static Result run(List<String> cmd, Duration timeout, Map<String, String> env) {
        return run(cmd, timeout, env, new File("/dev/null"));
    }

    private static Result run(List<String> cmd, Duration timeout, Map<String, String> env, File stdin) {
        try {
            Path out = Files.createTempFile("chaos-out", ".txt");
            Path err = Files.createTempFile("chaos-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(stdin));
                pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", cmd));
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

    /** Continues any paused daemon, then removes the hosts, their daemons and their files. */
    @Override
    public void close() {
        for (int i = 1; i <= managers + workers; i++) {
            try {
                long pid = Long.parseLong(Files.readString(dir.resolve("h" + i).resolve("daemon.pid")).trim());
                run(List.of("kill", "-CONT", String.valueOf(pid)), Duration.ofSeconds(10), Map.of());
            } catch (IOException | NumberFormatException e) {
                // no daemon there
            }
        }
        keepLogs();
        String[] down = Boolean.getBoolean("shoal.e2e.keep")
                ? new String[] {"down", "--name", name, "--dir", dir.toString(), "--keep"}
                : new String[] {"down", "--name", name, "--dir", dir.toString()};
        Result r = lab(Duration.ofMinutes(2), down);
        if (r.code() != 0) {
            System.err.println("lab down failed: " + r.all());
        }
    }
}
