package io.shoal.worker.exec.runc;

import io.shoal.api.Task;
import io.shoal.worker.exec.Controller;
import io.shoal.worker.exec.Dependencies;
import io.shoal.worker.exec.ExecException;
import io.shoal.worker.exec.Executor;
import io.shoal.worker.exec.NetworkAttacher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs each task under conmon, which runs runc (or crun): conmon holds the container's stdio,
 * writes its log and its exit code, and outlives the worker, so a worker restart never stops
 * containers. Layout under {@code root}: {@code bundles/ID} (config.json, log, pid files,
 * {@code runtime}, the path of the runtime that created the container, which every later runtime call
 * on it uses, and {@code files}, the tmpfs of the container's secrets and configs while it runs),
 * {@code exits/ID} (exit code), {@code state/} (the runtime's own state).
 */
public final class RuncExecutor implements Executor, AutoCloseable {
    final Path root;
    final String runtime;
    /** {@link #runtime} bind-mounted read-only, so that it need not protect itself on every call */
    final RuntimeBinary binary;
    final String conmon;
    final Rootfs.Source rootfs;
    final String cgroupParent;
    /** cgroup v1 hierarchies this executor mounted (see {@link #bindUnifiedControllersToV1()}). */
    final List<String> mountedControllers;
    /** Tells waiters when conmon writes an exit file. */
    final ExitWatch exits;
    /** Plugs containers into their overlay networks (none by default). */
    volatile NetworkAttacher attacher = NetworkAttacher.NONE;
    /** Told how long each step of a container's start took. */
    volatile Phases phases = Phases.NONE;
    /**
     * How many containers are created and started at once ({@link #STARTS_PER_CPU} per CPU): a
     * start is CPU work in conmon and runc, so a burst of tasks beyond the CPUs only makes every
     * start of the burst slower and none sooner; in turn, each start ends as soon as its CPU time
     * allows, and the first tasks run while the last still wait.
     */
    final Semaphore starts;
    static final int STARTS_PER_CPU = 2;
    /** How many stop signals went through {@code runtime kill} rather than straight to the container's init ({@link InitSignal}). */
    final LongAdder runtimeKills = new LongAdder();
    /** How many containers were started with {@code runtime start} rather than through crun's exec fifo ({@link ExecFifo}). */
    final LongAdder runtimeStarts = new LongAdder();
    /** Whether crun's containers are started through their exec fifo; {@code -Dshoal.runtime.execFifo=false} runs {@code crun start}. */
    final boolean execFifo = !"false".equals(System.getProperty(EXEC_FIFO_PROPERTY));
    static final String EXEC_FIFO_PROPERTY = "shoal.runtime.execFifo";

    public void setNetworkAttacher(NetworkAttacher attacher) {
        this.attacher = attacher;
    }

    /** Where the durations of each step of a container's start go (a metric). */
    public void onPhase(Phases phases) {
        this.phases = phases;
    }

    public RuncExecutor(Path root, String runtimeName, Rootfs.Source rootfs) throws ExecException {
        this(root, runtimeName, rootfs, "shoal");
    }

    /** @param cgroupParent the cgroup every container's cgroup goes under ({@code /PARENT/ID}) */
    public RuncExecutor(Path root, String runtimeName, Rootfs.Source rootfs, String cgroupParent) throws ExecException {
        this.root = root;
        this.cgroupParent = cgroupParent;
        this.runtime = find(runtimeName);
        this.binary = new RuntimeBinary(runtime, root.resolve("runtimes").resolve(Path.of(runtime).getFileName()),
                !"false".equals(System.getProperty(RuntimeBinary.PROPERTY)));
        this.conmon = find("conmon");
        if (runtimeName.equals("crun")) {
            this.mountedControllers = bindUnifiedControllersToV1();
        } else {
            this.mountedControllers = List.of();
        }
        this.rootfs = rootfs;
        try {
            Files.createDirectories(root.resolve("bundles"));
            Files.createDirectories(root.resolve("exits"));
            Files.createDirectories(root.resolve("state"));
        } catch (IOException e) {
            throw new ExecException("cannot create " + root + ": " + e.getMessage(), e);
        }
        this.exits = new ExitWatch(root.resolve("exits"));
        this.starts = new Semaphore(Math.max(2, STARTS_PER_CPU * Runtime.getRuntime().availableProcessors()), true);
    }

    /**
     * crun refuses a hybrid cgroup host whose unified (v2) hierarchy holds controllers ("cgroups in
     * hybrid mode not supported, drop all controllers from cgroupv2"); on Debian's hybrid layout
     * hugetlb sits there. Mounting each such controller as a v1 hierarchy moves it out of v2, which
     * is what crun needs; runc and cgroup v1 users are unaffected. Nothing happens on a pure v1 or
     * pure v2 host.
     *
     * @return the controllers mounted (for tests to unmount)
     */
    static List<String> bindUnifiedControllersToV1() throws ExecException {
        Path unified = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
        List<String> mounted = new ArrayList<>();
        try {
            if (!Files.exists(unified)) {
                return mounted;
            }
            for (String c : Files.readString(unified).trim().split("\\s+")) {
                if (c.isEmpty() || !c.matches("[a-z_]+")) {
                    continue;
                }
                Path dir = Path.of("/sys/fs/cgroup", c);
                Files.createDirectories(dir);
                Cmd.check(List.of("mount", "-t", "cgroup", "-o", c, "cgroup", dir.toString()), Duration.ofSeconds(10));
                mounted.add(c);
            }
            return mounted;
        } catch (IOException e) {
            throw new ExecException("cannot prepare cgroups for crun: " + e.getMessage(), e);
        }
    }

    /** Where {@link #find} looks for conmon and the runtimes, in order. */
    static final List<String> BIN_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    static String find(String name) throws ExecException {
        for (String dir : BIN_DIRS) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new ExecException(name + " is not installed (apt-get install " + name + ")");
    }

    /** Whether the program NAME (a runtime, conmon) is installed where this executor looks for it. */
    public static boolean installed(String name) {
        try {
            find(name);
            return true;
        } catch (ExecException e) {
            return false;
        }
    }

    /** The container id of a task: its id, prefixed so Shoal's containers are recognisable. */
    public static String containerId(Task t) {
        return "shoal-" + t.getId();
    }

    /** Where conmon writes the log of a task's container. */
    public Path log(String taskId) {
        return root.resolve("bundles").resolve("shoal-" + taskId).resolve("ctr.log");
    }

    @Override
    public List<String> existingTaskIds() throws ExecException {
        try (var dirs = Files.list(root.resolve("bundles"))) {
            return dirs.map(d -> d.getFileName().toString())
                    .filter(n -> n.startsWith("shoal-"))
                    .map(n -> n.substring("shoal-".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new ExecException("cannot list the containers under " + root + ": " + e.getMessage(), e);
        }
    }

    /** The image references of every container on this host, running or not: what pruning must keep. */
    public Set<String> imagesInUse() throws ExecException {
        Set<String> out = new TreeSet<>();
        for (String id : existingTaskIds()) {
            Path f = root.resolve("bundles").resolve("shoal-" + id).resolve("image");
            try {
                if (Files.exists(f)) {
                    out.add(Files.readString(f).trim());
                }
            } catch (NoSuchFileException gone) {
                // removed meanwhile: it holds nothing any more
            } catch (IOException e) {
                throw new ExecException("cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The network namespace of the task's container when this node already made it (a container
     * that outlived a restart of the worker), else null: the overlay plane plugs such endpoints
     * back into its plan instead of unplugging them.
     */
    public String existingNetns(Task task) {
        String id = containerId(task);
        String netns = RuncController.netnsName(id);
        return Files.isDirectory(root.resolve("bundles").resolve(id)) && Files.exists(Path.of("/run/netns", netns)) ? netns : null;
    }

    /**
     * Unmounts the runtime's read-only binary (containers live on: conmon runs the runtime only to
     * create them, and a restarted daemon mounts it again on its first call).
     */
    @Override
    public void close() {
        binary.close();
    }

    @Override
    public Controller controller(Task task) {
        return new RuncController(this, task, Dependencies.NONE);
    }

    @Override
    public Controller controller(Task task, Dependencies deps) {
        return new RuncController(this, task, deps);
    }
}
