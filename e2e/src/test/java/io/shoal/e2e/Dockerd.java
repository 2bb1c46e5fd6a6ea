package io.shoal.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Docker swarm mode (Debian's dockerd 20.10) as the reference the benchmarks compare with: one
 * daemon inside a lab host's network namespace, all its state (data-root, exec-root, socket, log)
 * under {@code LAB/dockerd}, its containers' cgroups under a parent of their own. Closing it leaves
 * its swarm, stops it (its containers stop with it) and removes that cgroup parent; {@code lab.sh
 * down} unmounts what is left under the lab's directory.
 */
final class Dockerd implements AutoCloseable {
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    final Path dir;
    final String sock;
    private final Process process;
    private final String cgroupParent;

    private Dockerd(Path dir, String sock, Process process, String cgroupParent) {
        this.dir = dir;
        this.sock = sock;
        this.process = process;
        this.cgroupParent = cgroupParent;
    }

    /**
     * Starts dockerd in {@code host}'s network namespace (a host that runs no Shoal daemon) and
     * waits until it answers.
     *
     * @param registry     the lab's registry (HOST:PORT), plain http
     * @param cgroupParent where its containers' cgroups go
     */
    static Dockerd start(Lab lab, String host, String registry, String cgroupParent) throws IOException, InterruptedException {
        Path dir = lab.dir.resolve("dockerd");
        Files.createDirectories(dir);
        String sock = dir.resolve("docker.sock").toString();
        String ns = lab.lab(Duration.ofSeconds(10), "ns", "--name", lab.name, "--dir", lab.dir.toString(), host).out().strip();
        Process p = new ProcessBuilder("nsenter", "--net=/run/netns/" + ns, "--", "dockerd",
                "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(), "-H", "unix://" + sock,
                "--insecure-registry", registry, "--cgroup-parent", cgroupParent)
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        Dockerd d = new Dockerd(dir, sock, p, cgroupParent);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (d.docker("version").code() != 0) {
            if (System.nanoTime() > deadline || !p.isAlive()) {
                d.close();
                throw new AssertionError("dockerd did not answer on " + sock + " within 60 s; see " + dir.resolve("dockerd.log"));
            }
            Thread.sleep(200);
        }
        return d;
    }

    /** Where dockerd keeps its containers' state (config.v2.json per container). */
    Path containers() {
        return dir.resolve("data/containers");
    }

    /** The docker CLI against this daemon. */
    Lab.Result docker(String... args) {
        return cli(sock, args);
    }

    /** Debian's docker CLI (the same version as dockerd) against the Engine API at {@code sock}, dockerd's or Shoal's. */
    static Lab.Result cli(String sock, String... args) {
        List<String> cmd = new ArrayList<>(List.of(EngineApiIT.DOCKER.toString()));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofMinutes(5), Map.of("DOCKER_HOST", "unix://" + sock));
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            docker("swarm", "leave", "--force");
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        removeCgroupParent();
    }

    /** rmdir of the (by now empty) cgroup parent in every hierarchy (v1) or the unified one (v2). */
    private void removeCgroupParent() {
        List<Path> dirs = new ArrayList<>(List.of(CGROUPS.resolve(cgroupParent)));
        try (var hierarchies = Files.list(CGROUPS)) {
            hierarchies.filter(Files::isDirectory).forEach(h -> dirs.add(h.resolve(cgroupParent)));
        } catch (IOException e) {
            // no cgroup file system to clean
        }
        for (Path d : dirs) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException stillBusy) {
                // a container's cgroup not gone yet: left for the host, as lab.sh leaves a busy one
            }
        }
    }
}
