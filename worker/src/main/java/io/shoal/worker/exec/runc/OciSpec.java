package io.shoal.worker.exec.runc;

import io.shoal.api.ContainerSpec;
import io.shoal.api.Mount;
import io.shoal.api.ResourceRequirements;
import io.shoal.worker.exec.ExecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The OCI runtime config (config.json) for a task: its process (command, env, working dir, user),
 * hostname, root, mounts, namespaces (pid, ipc, uts, mount, and network: the one the worker made
 * for a task on overlay networks, else a new one), cgroup limits, Docker's default capabilities (with the spec's additions and drops),
 * rlimits, namespaced sysctls, an init process when asked, and no-new-privileges.
 */
public final class OciSpec {
    /** Docker's default capability set. */
    static final List<String> DEFAULT_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    /** Every capability a process can hold (Linux 5.9+), for cap_add: ALL. */
    static final List<String> ALL_CAPS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");
    static final Set<String> RLIMITS = Set.of("as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice",
            "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");
    /** Where a container with {@code init} finds its init process (Docker's path), and the static tini it is. */
    static final String INIT_TARGET = "/sbin/docker-init";
    static final Path INIT_BINARY = Path.of("/usr/bin/tini-static");
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    static final long CPU_PERIOD = 100_000;

    private OciSpec() {}

    /**
     * @param imageEntrypoint the image's ENTRYPOINT (may be empty)
     * @param imageCmd        the image's CMD (may be empty)
     * @param netnsPath       the network namespace to join, e.g. /run/netns/NAME, or null for a new
     *                        one the runtime makes (with its loopback up) and that goes with the container
     * @param cgroupsPath     e.g. /shoal/ID
     */
    public static Map<String, Object> build(ContainerSpec c, ResourceRequirements res, List<String> imageEntrypoint,
                                            List<String> imageCmd, List<String> imageEnv, String hostname, Path rootfs,
                                            String netnsPath, String cgroupsPath) throws ExecException {
        return build(c, res, imageEntrypoint, imageCmd, imageEnv, hostname, rootfs, netnsPath, cgroupsPath, m -> {
            throw new ExecException("volume mounts need a volume store (mount at " + m.getTarget() + ")");
        });
    }

    /** Where a volume mount's data lives on the host; creates it on first use. */
    @FunctionalInterface
    public interface Volumes {
        Path resolve(Mount m) throws ExecException;
    }

    public static Map<String, Object> build(ContainerSpec c, ResourceRequirements res, List<String> imageEntrypoint,
                                            List<String> imageCmd, List<String> imageEnv, String hostname, Path rootfs,
                                            String netnsPath, String cgroupsPath, Volumes volumes) throws ExecException {
        List<String> args = args(c, imageEntrypoint, imageCmd);
        if (args.isEmpty()) {
            throw new ExecException("no command to run: the service gives none and the image has no ENTRYPOINT or CMD");
        }
        if (c.getInit()) {
            List<String> withInit = new ArrayList<>(List.of(INIT_TARGET, "--"));
            withInit.addAll(args);
            args = withInit;
        }
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", user(c.getUser(), rootfs));
        process.put("args", args);
        List<String> env = new ArrayList<>();
        if (imageEnv.stream().noneMatch(e -> e.startsWith("PATH=")) && c.getEnvList().stream().noneMatch(e -> e.startsWith("PATH="))) {
            env.add(DEFAULT_PATH);
        }
        env.addAll(imageEnv);
        env.add("HOSTNAME=" + hostname);
        env.addAll(c.getEnvList());
        process.put("env", env);
        process.put("cwd", c.getDir().isEmpty() ? "/" : c.getDir());
        List<String> caps = capabilities(c);
        process.put("capabilities", Map.of("bounding", caps, "effective", caps,
                "permitted", caps, "inheritable", List.of(), "ambient", List.of()));
        if (c.getUlimitsCount() > 0) {
            process.put("rlimits", rlimits(c));
        }
        process.put("noNewPrivileges", true);

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2");
        spec.put("process", process);
        spec.put("root", Map.of("path", rootfs.toString(), "readonly", c.getReadOnly()));
        spec.put("hostname", hostname);
        spec.put("mounts", mounts(c, volumes));
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", List.of(Map.of("type", "pid"), Map.of("type", "ipc"), Map.of("type", "uts"),
                Map.of("type", "mount"), netnsPath == null ? Map.of("type", "network") : Map.of("type", "network", "path", netnsPath)));
        linux.put("cgroupsPath", cgroupsPath);
        linux.put("resources", resources(res));
        if (c.getSysctlsCount() > 0) {
            linux.put("sysctl", new TreeMap<>(c.getSysctlsMap()));
        }
        linux.put("maskedPaths", List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"));
        linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
        spec.put("linux", linux);
        return spec;
    }

    /** Docker's default set with the spec's additions and drops ("NET_ADMIN" or "CAP_NET_ADMIN"; "ALL"). */
    static List<String> capabilities(ContainerSpec c) throws ExecException {
        Set<String> add = new TreeSet<>();
        Set<String> drop = new TreeSet<>();
        for (String a : c.getCapabilityAddList()) {
            add.add(capability(a));
        }
        for (String d : c.getCapabilityDropList()) {
            drop.add(capability(d));
        }
        Set<String> out = new LinkedHashSet<>(drop.contains("ALL") ? List.of() : DEFAULT_CAPS);
        out.removeAll(drop);
        out.addAll(add.contains("ALL") ? ALL_CAPS : add);
        return List.copyOf(out);
    }

    private static String capability(String name) throws ExecException {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("ALL")) {
            return n;
        }
        String cap = n.startsWith("CAP_") ? n : "CAP_" + n;
        if (!ALL_CAPS.contains(cap)) {
            throw new ExecException("unknown capability '" + name + "'");
        }
        return cap;
    }

    static List<Map<String, Object>> rlimits(ContainerSpec c) throws ExecException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (var u : c.getUlimitsList()) {
            if (!RLIMITS.contains(u.getName())) {
                throw new ExecException("unknown ulimit '" + u.getName() + "'");
            }
            out.add(Map.of("type", "RLIMIT_" + u.getName().toUpperCase(Locale.ROOT), "soft", u.getSoft(), "hard", u.getHard()));
        }
        return out;
    }

    /** Docker's rule: the service's command replaces the image's ENTRYPOINT (and drops its CMD); args replace CMD. */
    static List<String> args(ContainerSpec c, List<String> entrypoint, List<String> cmd) {
        List<String> out = new ArrayList<>();
        if (!c.getCommandList().isEmpty()) {
            out.addAll(c.getCommandList());
            out.addAll(c.getArgsList());
        } else {
            out.addAll(entrypoint);
            out.addAll(c.getArgsList().isEmpty() ? cmd : c.getArgsList());
        }
        return out;
    }

    static Map<String, Object> resources(ResourceRequirements r) {
        Map<String, Object> out = new LinkedHashMap<>();
        long mem = r.getLimits().getMemoryBytes();
        if (mem > 0) {
            out.put("memory", Map.of("limit", mem));
        }
        Map<String, Object> cpu = new LinkedHashMap<>();
        if (r.getLimits().getNanoCpus() > 0) {
            cpu.put("quota", r.getLimits().getNanoCpus() * CPU_PERIOD / 1_000_000_000L);
            cpu.put("period", CPU_PERIOD);
        }
        if (r.getReservations().getNanoCpus() > 0) {
            cpu.put("shares", Math.max(2, r.getReservations().getNanoCpus() * 1024 / 1_000_000_000L));
        }
        if (!cpu.isEmpty()) {
            out.put("cpu", cpu);
        }
        if (r.getLimits().getPids() > 0) {
            out.put("pids", Map.of("limit", r.getLimits().getPids()));
        }
        out.put("devices", List.of(Map.of("allow", false, "access", "rwm")));
        return out;
    }

    static List<Map<String, Object>> mounts(ContainerSpec c) throws ExecException {
        return mounts(c, m -> {
            throw new ExecException("volume mounts need a volume store (mount at " + m.getTarget() + ")");
        });
    }

    static List<Map<String, Object>> mounts(ContainerSpec c, Volumes volumes) throws ExecException {
        List<Map<String, Object>> m = new ArrayList<>();
        m.add(Map.of("destination", "/proc", "type", "proc", "source", "proc"));
        m.add(Map.of("destination", "/dev", "type", "tmpfs", "source", "tmpfs",
                "options", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        m.add(Map.of("destination", "/dev/pts", "type", "devpts", "source", "devpts",
                "options", List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620")));
        m.add(Map.of("destination", "/dev/shm", "type", "tmpfs", "source", "shm",
                "options", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        m.add(Map.of("destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue", "options", List.of("nosuid", "noexec", "nodev")));
        m.add(Map.of("destination", "/sys", "type", "sysfs", "source", "sysfs", "options", List.of("nosuid", "noexec", "nodev", "ro")));
        if (c.getInit()) {
            if (!Files.isExecutable(INIT_BINARY)) {
                throw new ExecException("init: " + INIT_BINARY + " is not on this node (apt-get install tini)");
            }
            m.add(Map.of("destination", INIT_TARGET, "type", "bind", "source", INIT_BINARY.toString(),
                    "options", List.of("rbind", "ro")));
        }
        for (Mount u : c.getMountsList()) {
            if (!u.getTarget().startsWith("/")) {
                throw new ExecException("mount target '" + u.getTarget() + "' must be an absolute path");
            }
            switch (u.getType()) {
                case BIND -> {
                    if (!Files.exists(Path.of(u.getSource()))) {
                        throw new ExecException("bind source path does not exist: " + u.getSource());
                    }
                    m.add(Map.of("destination", u.getTarget(), "type", "bind", "source", u.getSource(),
                            "options", List.of("rbind", u.getReadOnly() ? "ro" : "rw")));
                }
                case TMPFS -> {
                    List<String> opts = new ArrayList<>(List.of("nosuid", "nodev"));
                    if (u.getTmpfsSizeBytes() > 0) {
                        opts.add("size=" + u.getTmpfsSizeBytes());
                    }
                    m.add(Map.of("destination", u.getTarget(), "type", "tmpfs", "source", "tmpfs", "options", opts));
                }
                case VOLUME -> m.add(Map.of("destination", u.getTarget(), "type", "bind",
                        "source", volumes.resolve(u).toString(), "options", List.of("rbind", u.getReadOnly() ? "ro" : "rw")));
                default -> throw new ExecException("unknown mount type " + u.getType() + " (mount at " + u.getTarget() + ")");
            }
        }
        return m;
    }

    /** uid[:gid] numerically, or a user name looked up in the container's /etc/passwd. */
    static Map<String, Object> user(String user, Path rootfs) throws ExecException {
        if (user.isEmpty()) {
            return Map.of("uid", 0, "gid", 0);
        }
        String[] ug = user.split(":", 2);
        long uid;
        long gid = -1;
        if (ug[0].matches("\\d+")) {
            uid = Long.parseLong(ug[0]);
            gid = uid;
        } else {
            long[] found = lookup(rootfs.resolve("etc/passwd"), ug[0]);
            uid = found[0];
            gid = found[1];
        }
        if (ug.length > 1) {
            if (!ug[1].matches("\\d+")) {
                throw new ExecException("--user: group '" + ug[1] + "' must be numeric");
            }
            gid = Long.parseLong(ug[1]);
        }
        return Map.of("uid", uid, "gid", gid);
    }

    private static long[] lookup(Path passwd, String name) throws ExecException {
        try {
            if (Files.exists(passwd)) {
                for (String line : Files.readAllLines(passwd)) {
                    String[] f = line.split(":");
                    if (f.length > 3 && f[0].equals(name)) {
                        return new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])};
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new ExecException("cannot read the image's /etc/passwd: " + e.getMessage());
        }
        throw new ExecException("--user: no user '" + name + "' in the image's /etc/passwd");
    }
}
