package io.shoal.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Docker engine (Debian's docker.io, 20.10) of a test's own, the reference the stack tests compare
 * Shoal with: dockerd runs in a network namespace of its own (so its bridges, iptables rules and
 * swarm ports touch nothing else), with its own data root, exec root, pidfile, socket, config file
 * and containerd namespaces under one temporary directory, no default bridge and no iptables rules.
 * {@link #close()} stops it, its containerd and their shims, unmounts what they left and deletes the
 * namespace and the directory, also after a failure.
 */
final class DockerEngine implements AutoCloseable {
    private static final Path DOCKERD = Path.of("/usr/sbin/dockerd");
    static final Path DOCKER = Path.of("/usr/bin/docker");

    final Path dir;
    final String netns;
    final String address;
    private final String tag;
    private Process daemon;

    /** True where docker.io is installed (deploy/install-deps.sh) and the end-to-end layer can run. */
    static boolean available() {
        return Lab.available() && Files.isExecutable(DOCKERD) && Files.isExecutable(DOCKER);
    }

    /**
     * @param name    unique among the tests (the namespace and containerd namespace take it)
     * @param address an address of the test's own for the namespace's interface, e.g. 10.213.15.2/24
     */
    DockerEngine(String name, String address) throws IOException {
        this.tag = name;
        this.netns = name;
        this.address = address.replaceAll("/.*", "");
        this.dir = Files.createTempDirectory(name);
        Files.writeString(dir.resolve("daemon.json"), "{}\n");
        // what an aborted run of the same test left: its processes, mounts, namespace
        stopLeftovers();
        unmountUnder(Path.of(System.getProperty("java.io.tmpdir"), tag));
        Lab.run(List.of("ip", "netns", "del", netns), Duration.ofSeconds(10));
        check(List.of("ip", "netns", "add", netns));
        check(List.of("ip", "-n", netns, "link", "set", "lo", "up"));
        // a veth pair inside the namespace gives swarm an address to advertise (this kernel has no dummy links)
        check(List.of("ip", "-n", netns, "link", "add", "ref0", "type", "veth", "peer", "name", "ref1"));
        check(List.of("ip", "-n", netns, "addr", "add", address, "dev", "ref0"));
        check(List.of("ip", "-n", netns, "link", "set", "ref0", "up"));
        check(List.of("ip", "-n", netns, "link", "set", "ref1", "up"));
        // nsenter joins the network namespace only: `ip netns exec` would remount /sys and hide the cgroups
        daemon = new ProcessBuilder("nsenter", "--net=/run/netns/" + netns, DOCKERD.toString(),
                "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(), "-H", "unix://" + socket(),
                "--config-file", dir.resolve("daemon.json").toString(), "--bridge", "none", "--iptables=false",
                "--ip6tables=false", "--containerd-namespace", tag, "--containerd-plugins-namespace", tag + "p")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (docker("version").code() != 0) {
            if (System.nanoTime() > deadline || !daemon.isAlive()) {
                String log = Files.exists(dir.resolve("dockerd.log")) ? Files.readString(dir.resolve("dockerd.log")) : "";
                close();
                throw new IllegalStateException("dockerd did not come up:\n" + log);
            }
            sleep(200);
        }
    }

    Path socket() {
        return dir.resolve("docker.sock");
    }

    /** {@code docker ARGS} against this engine. */
    Lab.Result docker(String... args) {
        return docker(Map.of(), args);
    }

    Lab.Result docker(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString(), "-H", "unix://" + socket()));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofMinutes(3), env);
    }

    /** A one-node swarm whose manager advertises the namespace's address. */
    void swarmInit() {
        Lab.Result r = docker("swarm", "init", "--advertise-addr", address);
        if (r.code() != 0) {
            throw new IllegalStateException("docker swarm init: " + r.all());
        }
    }

    /** Loads an OCI layout's image (skopeo) under the given name, so the engine needs no registry. */
    void load(Path ociLayout, String layoutTag, String name) {
        Path tar = dir.resolve("image.tar");
        Lab.Result copy = Lab.run(List.of("skopeo", "copy", "-q", "oci:" + ociLayout + ":" + layoutTag,
                "docker-archive:" + tar + ":" + name), Duration.ofMinutes(2));
        if (copy.code() != 0) {
            throw new IllegalStateException("skopeo: " + copy.all());
        }
        Lab.Result load = docker("load", "-i", tar.toString());
        if (load.code() != 0) {
            throw new IllegalStateException("docker load: " + load.all());
        }
    }

    @Override
    public void close() {
        if (daemon != null && daemon.isAlive()) {
            docker("swarm", "leave", "--force");
            daemon.descendants().forEach(ProcessHandle::destroy);
            daemon.destroy();
            try {
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                    daemon.descendants().forEach(ProcessHandle::destroyForcibly);
                    daemon.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopLeftovers();
        unmountUnder(dir);
        Lab.run(List.of("ip", "netns", "del", netns), Duration.ofSeconds(10));
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }

    /** Every process of this engine (dockerd, containerd, shims) by its command line naming our directory or namespace. */
    private void stopLeftovers() {
        // this engine's directory, or any of an earlier run (created with the same prefix), or its containerd namespace
        String prefix = Path.of(System.getProperty("java.io.tmpdir"), tag).toString();
        List<ProcessHandle> ours = ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains(prefix) || c.contains("-namespace " + tag + " ")).orElse(false)).toList();
        ours.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : ours) {
            p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join();
        }
    }

    private static void unmountUnder(Path dir) {
        try {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream().map(l -> l.split(" ")[1])
                    .filter(m -> m.startsWith(dir.toString())).sorted(Comparator.reverseOrder()).toList();
            for (String m : mounts) {
                Lab.run(List.of("umount", "-l", m), Duration.ofSeconds(10));
            }
        } catch (IOException e) {
            System.err.println("cannot read the mount table: " + e.getMessage());
        }
    }

    private static void check(List<String> cmd) {
        Lab.Result r = Lab.run(cmd, Duration.ofSeconds(20));
        if (r.code() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + r.all());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
