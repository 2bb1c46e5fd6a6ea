package io.shoal.worker.exec.runc;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.api.HealthConfig;
import io.shoal.api.Mount;
import io.shoal.api.Task;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.Dependencies;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.ExitStatus;
import io.shoal.worker.exec.Health;
import io.shoal.worker.fs.Trees;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** One task's container under conmon + runc/crun. */
final class RuncController implements Controller {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CMD_TIMEOUT = Duration.ofSeconds(30);
    /** The bundle's record of the runtime (its path) that created the container. */
    static final String RUNTIME_FILE = "runtime";

    private final RuncExecutor ex;
    private final Task task;
    private final Dependencies deps;
    private final String id;
    private final Path bundle;
    private final ExitFile exit;
    private final String netns;
    private final TaskFiles files;
    /** whether the container is known to have been started (by this controller, or found so) */
    private volatile boolean started;

    RuncController(RuncExecutor ex, Task task, Dependencies deps) {
        this.ex = ex;
        this.task = task;
        this.deps = deps;
        this.id = RuncExecutor.containerId(task);
        this.bundle = ex.root.resolve("bundles").resolve(id);
        this.exit = new ExitFile(ex.exits, ex.root.resolve("exits"), id);
        this.netns = netnsName(id);
        this.files = new TaskFiles(bundle);
    }

    static String netnsName(String containerId) {
        return containerId.length() > 40 ? containerId.substring(0, 40) : containerId;
    }

    /** A runtime command line and what it adds to the daemon's environment. */
    private record RuntimeCmd(List<String> argv, Map<String, String> env) {}

    /** The runtime that created this container with {@code args}, through its read-only mount when it has one. */
    private RuntimeCmd runtime(String... args) {
        RuntimeBinary.Call call = ex.binary.call(runtimeBinary());
        List<String> cmd = new ArrayList<>(List.of(call.path(), "--root", ex.root.resolve("state").toString()));
        cmd.addAll(List.of(args));
        return new RuntimeCmd(cmd, call.env());
    }

    private Cmd.Result runRuntime(String... args) throws ExecException {
        RuntimeCmd r = runtime(args);
        return Cmd.run(r.argv(), r.env(), CMD_TIMEOUT);
    }

    /**
     * The runtime that created this container, as recorded in its bundle, else the executor's: runc
     * and crun keep different state, so a daemon restarted with another {@code --runtime} must still
     * start, stop, probe and remove the containers the first one made with the first one's runtime.
     * A bundle without the record (made by a release before it, whose default was runc) is told by
     * the runtime's own state: runc keeps {@code state/ID/state.json}, crun {@code state/ID/status}.
     */
    String runtimeBinary() {
        Path f = bundle.resolve(RUNTIME_FILE);
        try {
            String recorded = Files.exists(f) ? Files.readString(f).strip() : "";
            if (!recorded.isEmpty() && Files.isExecutable(Path.of(recorded))) {
                return recorded;
            }
        } catch (IOException e) {
            // unreadable: the runtime's state, else the executor's runtime, is the best guess left
        }
        return stateOwner(ex.root.resolve("state").resolve(id), ex.runtime);
    }

    /** The runtime whose state is in DIR (a container's directory under the runtimes' root), else FALLBACK. */
    static String stateOwner(Path dir, String fallback) {
        String name = Files.exists(dir.resolve("state.json")) ? "runc" : Files.exists(dir.resolve("status")) ? "crun" : null;
        if (name == null || Path.of(fallback).getFileName().toString().equals(name)) {
            return fallback;
        }
        try {
            return RuncExecutor.find(name);
        } catch (ExecException e) {
            return fallback;
        }
    }

    @Override
    public void prepare() throws ExecException {
        try {
            long t0 = System.nanoTime();
            Files.createDirectories(bundle);
            Rootfs fs = ex.rootfs.acquire(task, bundle);
            long t1 = phase("rootfs", t0);
            String hostname = task.getSpec().getContainer().getHostname().isEmpty()
                    ? task.getId().substring(0, Math.min(12, task.getId().length()))
                    : task.getSpec().getContainer().getHostname();
            // the image's working dir and user apply unless the service sets its own
            var container = task.getSpec().getContainer().toBuilder();
            if (container.getDir().isEmpty()) {
                container.setDir(fs.workingDir());
            }
            if (container.getUser().isEmpty()) {
                container.setUser(fs.user());
            }
            Files.write(bundle.resolve("image-health.pb"), fs.healthcheck().toByteArray());
            Files.writeString(bundle.resolve("image"), task.getSpec().getContainer().getImage());
            String resolver = ex.attacher.resolver(task);
            String resolvConf = ContainerFiles.resolvConf(resolver, task.getSpec().getContainer().getDnsConfig());
            if (resolvConf != null) {
                // the node's resolver for the task's network answers service names, then the spec's servers
                Path resolv = bundle.resolve("resolv.conf");
                Files.writeString(resolv, resolvConf);
                container.addMounts(Mount.newBuilder().setType(Mount.Type.BIND)
                        .setSource(resolv.toString()).setTarget("/etc/resolv.conf").setReadOnly(true));
            }
            if (task.getSpec().getContainer().getHostsCount() > 0) {
                Path hosts = bundle.resolve("hosts");
                Files.writeString(hosts, ContainerFiles.hosts(hostname, task.getSpec().getContainer().getHostsList()));
                container.addMounts(Mount.newBuilder().setType(Mount.Type.BIND)
                        .setSource(hosts.toString()).setTarget("/etc/hosts").setReadOnly(true));
            }
            // secrets and configs: files on a tmpfs of this container's own, bind-mounted at their targets
            container.addAllMounts(files.write(task, deps));
            // a task on overlay networks gets a namespace of the worker's own, made before the container so the
            // overlay can plug it in; any other gets a new one from the runtime (loopback only, as before), which
            // saves two processes per start and one per removal, and goes with the container
            boolean ownNetns = task.getNetworksCount() > 0;
            var spec = OciSpec.build(container.build(), task.getSpec().getResources(), fs.entrypoint(), fs.cmd(),
                    fs.env(), hostname, fs.path(), ownNetns ? "/run/netns/" + netns : null, "/" + ex.cgroupParent + "/" + id,
                    m -> volume(m, fs.path()));
            Files.write(bundle.resolve("config.json"), JSON.writeValueAsBytes(spec));
            long t2 = phase("bundle", t1);
            if (ownNetns) {
                if (!Files.exists(Path.of("/run/netns", netns))) {
                    Cmd.check(List.of("ip", "netns", "add", netns), CMD_TIMEOUT);
                }
                Cmd.check(List.of("ip", "-n", netns, "link", "set", "lo", "up"), CMD_TIMEOUT);
                long t3 = phase("netns", t2);
                ex.attacher.attach(task, netns);
                phase("network", t3);
            }
        } catch (IOException e) {
            cleanupQuietly();
            throw new ExecException("cannot prepare the container: " + e.getMessage(), e);
        } catch (ExecException e) {
            cleanupQuietly();
            throw e;
        }
    }

    /**
     * The host directory of a volume mount, created on first use: a named volume lives under the
     * executor's {@code volumes/NAME/_data} and outlives its tasks; an anonymous one (no source)
     * lives in the bundle and goes with the task. As Docker does, a new volume starts as a copy of
     * what the image has at the mount target.
     */
    private Path volume(Mount m, Path rootfs) throws ExecException {
        Path dir = m.getSource().isEmpty()
                ? bundle.resolve("volumes").resolve(Integer.toHexString(m.getTarget().hashCode()))
                : ex.root.resolve("volumes").resolve(m.getSource()).resolve("_data");
        if (!m.getSource().isEmpty() && !m.getSource().matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new ExecException("volume name '" + m.getSource() + "' is not valid");
        }
        synchronized (RuncController.class) { // two tasks may create the same volume at once
            if (Files.isDirectory(dir)) {
                return dir;
            }
            Path tmp = dir.resolveSibling(dir.getFileName() + ".new");
            try {
                Trees.delete(tmp);
                Files.createDirectories(tmp);
                Path seed = rootfs.resolve(m.getTarget().substring(1));
                if (Files.isDirectory(seed, LinkOption.NOFOLLOW_LINKS)) {
                    Cmd.check(List.of("cp", "-a", "--", seed + "/.", tmp.toString()), CMD_TIMEOUT);
                }
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                return dir;
            } catch (IOException e) {
                throw new ExecException("cannot create the volume for " + m.getTarget() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Records the phase that began at {@code since} (System.nanoTime) and returns now. */
    private long phase(String name, long since) {
        long now = System.nanoTime();
        ex.phases.record(name, now - since);
        return now;
    }

    @Override
    public void start() throws ExecException {
        long queued = System.nanoTime();
        try {
            ex.starts.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecException("interrupted while waiting to start the container");
        }
        try {
            startNow(phase("queue", queued));
        } finally {
            ex.starts.release();
        }
    }

    /**
     * conmon runs {@code runtime create}, then the container is started: a crun container through its
     * exec fifo ({@link ExecFifo}, no process), else (runc, or a fifo that is not where crun keeps it)
     * with {@code runtime start}. A container that exists already awaits its start (the worker
     * stopped between the two, {@link #awaitingStart()}): it is started with the runtime that created
     * it, not created again. One of the executor's bounded starts.
     */
    private void startNow(long t0) throws ExecException {
        String runtime = ex.runtime;
        if (exists()) {
            runtime = runtimeBinary();
        } else {
            conmonCreate();
        }
        awaitCreated();
        long t1 = phase("create", t0);
        if (!ex.execFifo || !isCrun(runtime)
                || ExecFifo.start(ex.root.resolve("state").resolve(id)) != ExecFifo.Outcome.STARTED) {
            ex.runtimeStarts.increment();
            RuntimeCmd start = runtime("start", id);
            Cmd.check(start.argv(), start.env(), CMD_TIMEOUT);
        }
        started = true;
        phase("start", t1);
    }

    /**
     * Creates the container without starting it (as a worker leaves it that stops before the
     * start): its process waits on the runtime's exec fifo. For tests.
     */
    void create() throws ExecException {
        conmonCreate();
        awaitCreated();
    }

    /** Has conmon run {@code runtime create} for the container, recording the runtime in the bundle first. */
    private void conmonCreate() throws ExecException {
        try {
            Files.writeString(bundle.resolve(RUNTIME_FILE), ex.runtime);
        } catch (IOException e) {
            throw new ExecException("cannot write " + bundle.resolve(RUNTIME_FILE) + ": " + e.getMessage(), e);
        }
        RuntimeBinary.Call runtime = ex.binary.call(ex.runtime);
        Cmd.Result r = Cmd.run(List.of(ex.conmon, "--api-version", "1", "-c", id, "-u", id, "-n", id,
                "-r", runtime.path(), "-b", bundle.toString(), "-p", bundle.resolve("pidfile").toString(),
                "--exit-dir", ex.root.resolve("exits").toString(),
                "-l", "k8s-file:" + bundle.resolve("ctr.log"), "--log-size-max", String.valueOf(10 << 20),
                "--conmon-pidfile", bundle.resolve("conmon.pid").toString(),
                "--socket-dir-path", bundle.toString(),
                "--runtime-arg", "--root=" + ex.root.resolve("state")), runtime.env(), CMD_TIMEOUT);
        if (r.code() != 0) {
            throw new ExecException("conmon could not create the container: " + r.oneLine());
        }
    }

    /**
     * Waits for the runtime's create under conmon to end. conmon daemonizes and then runs
     * {@code runtime create}; the pid file appears once it is created. A look every millisecond is
     * two stat calls against a create of tens of milliseconds.
     */
    private void awaitCreated() throws ExecException {
        long deadline = System.nanoTime() + CMD_TIMEOUT.toNanos();
        while (!Files.exists(bundle.resolve("pidfile"))) {
            if (exit.exists() || System.nanoTime() > deadline) {
                throw new ExecException("the runtime could not create the container: " + lastLog());
            }
            sleep(1);
        }
    }

    /** Whether RUNTIME (a path) is crun, whose created containers {@link ExecFifo} can start. */
    static boolean isCrun(String runtime) {
        return Path.of(runtime).getFileName().toString().equals("crun");
    }

    private String lastLog() {
        try {
            Path log = bundle.resolve("ctr.log");
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log);
                if (!lines.isEmpty()) {
                    return lines.get(lines.size() - 1);
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "no output";
    }

    @Override
    public Optional<ExitStatus> exitStatus() throws ExecException {
        return exit.read();
    }

    @Override
    public Optional<ExitStatus> waitExit(Duration timeout) throws ExecException, InterruptedException {
        return exit.await(timeout);
    }

    @Override
    public boolean notifyExit(Runnable wake) {
        return exit.notifyExit(wake);
    }

    @Override
    public ExitStatus shutdown(String signal, Duration grace) throws ExecException, InterruptedException {
        Optional<ExitStatus> done = exitStatus();
        if (done.isPresent()) {
            return done.get();
        }
        if (!exists()) {
            return new ExitStatus(137);
        }
        long t0 = System.nanoTime();
        signal(signal);
        done = waitExit(grace);
        if (done.isEmpty()) {
            signal("SIGKILL");
            done = waitExit(Duration.ofSeconds(10));
        }
        ExitStatus e = done.orElseThrow(() -> new ExecException("the container did not stop after SIGKILL"));
        phase("stop", t0);
        return e;
    }

    /**
     * Sends {@code signal} to the container's init: directly through a pidfd when it is conmon's
     * child (no process started), else with {@code runtime kill}, as before.
     */
    private void signal(String signal) throws ExecException {
        OptionalInt init = InitSignal.readPid(bundle.resolve("pidfile"));
        OptionalInt conmon = InitSignal.readPid(bundle.resolve("conmon.pid"));
        if (init.isPresent() && conmon.isPresent()
                && InitSignal.send(init.getAsInt(), conmon.getAsInt(), signal) != InitSignal.Outcome.UNKNOWN) {
            return; // sent, or init is gone already: its exit file follows
        }
        ex.runtimeKills.increment();
        runRuntime("kill", id, signal.startsWith("SIG") ? signal.substring(3) : signal);
    }

    @Override
    public void remove() throws ExecException {
        long t0 = System.nanoTime();
        exit.stopNotifying();
        runRuntime("delete", "--force", id);
        try {
            ex.attacher.detach(task);
        } catch (ExecException | RuntimeException e) {
            // the container goes anyway: a stale overlay entry is corrected by the next apply
            LoggerFactory.getLogger(RuncController.class).warn("detaching {} from its networks: {}", id, e.getMessage());
        }
        if (Files.exists(Path.of("/run/netns", netns))) {
            Cmd.run(List.of("ip", "netns", "delete", netns), CMD_TIMEOUT);
        }
        files.release();
        ex.rootfs.release(task, bundle);
        try {
            exit.delete();
            Trees.delete(bundle);
        } catch (IOException e) {
            throw new ExecException("cannot remove " + bundle + ": " + e.getMessage(), e);
        }
        phase("remove", t0);
    }

    /** The container has exited for good: its secrets' and configs' tmpfs goes now (the rest with {@link #remove()}). */
    @Override
    public void afterExit() throws ExecException {
        files.release();
    }

    private void cleanupQuietly() {
        try {
            remove();
        } catch (ExecException ignored) {
            // best effort: the original error is the one to report
        }
    }

    /**
     * Cheap enough to ask every few hundred milliseconds per task: conmon lives exactly as long as
     * the container it watches, and writes the exit file before it goes, so an exit file or a live
     * conmon process means the container exists. No runtime call. The exit file is looked at again
     * after conmon is found gone: a container that exits between the first look and the second
     * (its exit file written, then conmon gone) exists, it did not vanish.
     */
    @Override
    public boolean exists() {
        return exit.exists() || conmonAlive() || exit.exists();
    }

    /** Whether the conmon that watches this container is running (its pid file names a live conmon of this id). */
    private boolean conmonAlive() {
        try {
            Path pidFile = bundle.resolve("conmon.pid");
            if (!Files.exists(pidFile)) {
                return false;
            }
            String pid = Files.readString(pidFile).trim();
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
            // the pid could have been reused by another program after a host restart
            return new String(cmdline, StandardCharsets.UTF_8).contains(id);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * runc and crun both leave {@code exec.fifo} in the container's state directory at create, for
     * the start to use, and remove it at the start: it is how each of them tells a created container
     * from a started one ({@code runtime state}'s "created"), read here without running the runtime.
     * Without a pid file the create itself is still under way (a worker stopped during it). Once
     * seen started, a container is not looked at again.
     */
    @Override
    public boolean awaitingStart() {
        if (started || exit.exists() || !exists()) {
            return false;
        }
        if (Files.exists(bundle.resolve("pidfile")) && !Files.exists(ex.root.resolve("state").resolve(id).resolve(ExecFifo.NAME))) {
            started = true;
            return false;
        }
        return true;
    }

    @Override
    public Health.Probe probe(List<String> command, Duration timeout) {
        RuntimeCmd exec = runtime("exec", id);
        List<String> cmd = new ArrayList<>(exec.argv());
        cmd.addAll(command);
        try {
            Cmd.Result r = Cmd.run(cmd, exec.env(), timeout);
            String out = (r.out() + r.err()).strip();
            return new Health.Probe(r.code(), out.length() > 200 ? out.substring(out.length() - 200) : out);
        } catch (ExecException e) {
            return new Health.Probe(-1, e.getMessage());
        }
    }

    /** The image's HEALTHCHECK, recorded in the bundle at prepare so a restarted worker still knows it. */
    @Override
    public HealthConfig imageHealthcheck() {
        try {
            Path f = bundle.resolve("image-health.pb");
            return Files.exists(f) ? HealthConfig.parseFrom(Files.readAllBytes(f))
                    : HealthConfig.getDefaultInstance();
        } catch (IOException e) {
            return HealthConfig.getDefaultInstance();
        }
    }

    /** The container log (conmon's k8s-file format: time, stream, tag, text). */
    Path log() {
        return bundle.resolve("ctr.log");
    }

    private static void sleep(long ms) throws ExecException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExecException("interrupted");
        }
    }
}
