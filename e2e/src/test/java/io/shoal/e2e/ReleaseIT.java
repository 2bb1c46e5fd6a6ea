package io.shoal.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.codegen.docgen.manpage.ManPageGenerator;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The release: deploy/release.sh builds the tarball from this build, which is unpacked in an empty
 * directory and run on a host with no JDK at all (a mount namespace hides /usr/lib/jvm); systemd
 * accepts its unit; its completion and man pages work; install.sh lays it out (in a staging root)
 * and refuses a host where a required package cannot be installed; and a lab host runs its daemon
 * from the tarball with java's temporary directory on a noexec mount. Everything it makes is under
 * e2e/target and removed at the end; the lab is torn down and the mount undone even on failure.
 */
class ReleaseIT {
    private static final Duration BUILD = Duration.ofMinutes(10);
    private static Path work;
    private static Path release;
    private static String version;

    @BeforeAll
    static void build() throws IOException, URISyntaxException {
        Assumptions.assumeTrue(Lab.available(), "needs root, ip netns and tar");
        // not under /tmp: the runs without a JDK mount a noexec tmpfs there
        work = Files.createDirectories(Lab.REPO.resolve("e2e/target"));
        work = Files.createTempDirectory(work, "release-it");
        Path codegen = Path.of(ManPageGenerator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Lab.Result r = Lab.run(List.of(Lab.REPO.resolve("deploy/release.sh").toString(), "--out", work.resolve("out").toString()),
                BUILD, Map.of("PICOCLI_CODEGEN", codegen.toString(), "JAVA_HOME", System.getProperty("java.home")));
        assertEquals(0, r.code(), r.all());
        Path tarball = Path.of(r.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        String file = tarball.getFileName().toString();
        assertTrue(file.matches("shoal-[0-9][0-9A-Za-z.-]*-linux-amd64\\.tar\\.gz"), file);
        version = file.substring("shoal-".length(), file.length() - "-linux-amd64.tar.gz".length());
        Path empty = Files.createDirectories(work.resolve("unpacked"));
        Lab.Result x = Lab.run(List.of("tar", "-xzf", tarball.toString(), "-C", empty.toString()), Duration.ofMinutes(2));
        assertEquals(0, x.code(), x.all());
        release = empty.resolve("shoal-" + version + "-linux-amd64");
    }

    @AfterAll
    static void clean() {
        if (work != null) {
            Lab.run(List.of("rm", "-rf", work.toString()), Duration.ofMinutes(1));
        }
    }

    /** {@code bin/shoal ARGS} in a mount namespace where /usr/lib/jvm is empty and /tmp is noexec, with a bare environment. */
    private static Lab.Result withoutJdk(String... args) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs none /usr/lib/jvm && mount -t tmpfs -o noexec none /tmp && "
                        + "if command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1; then echo 'a java is still here'; exit 99; fi; "
                        + "exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root SHOAL_NATIVE_DIR=" + work.resolve("native")
                        + " \"$0\" \"$@\"",
                release.resolve("bin/shoal").toString()));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofMinutes(2));
    }

    @Test
    void theTarballRunsOnAHostWithoutAJdk() throws IOException {
        for (String part : List.of("bin/shoal", "lib", "runtime/bin/java", "systemd/shoal.service", "install.sh",
                "completion/bash/shoal", "completion/zsh/_shoal", "man/man1/shoal.1",
                "lib/client.classpath", "lib/client.aot")) {
            assertTrue(Files.exists(release.resolve(part)), part + " is in the tarball");
        }
        assertFalse(Files.exists(release.resolve("runtime/bin/javac")), "a runtime, not a JDK");
        Lab.Result v = withoutJdk("--version");
        assertEquals(0, v.code(), v.all());
        assertTrue(v.out().contains(version), v.all());
        Lab.Result full = withoutJdk("--host", "unix://" + work.resolve("nobody-here.sock"), "version");
        assertEquals(1, full.code(), full.all());
        assertTrue(full.out().contains("Version:") && full.out().contains(version), full.all());
        assertTrue(full.out().matches("(?s).*Java version:\\s+25.*"), full.all());
        assertEquals(1, full.err().strip().lines().count(), "one error line: " + full.err());
    }

    @Test
    void systemdAcceptsTheUnit() throws IOException {
        String unit = Files.readString(release.resolve("systemd/shoal.service"));
        for (String line : List.of("KillMode=process", "Delegate=yes", "TasksMax=infinity", "Restart=always",
                "After=network-online.target", "StateDirectory=shoal", "RuntimeDirectory=shoal", "LimitNOFILE=")) {
            assertTrue(unit.contains("\n" + line), line);
        }
        // verify wants ExecStart's program to exist: point it at the unpacked launcher, as install.sh --prefix does
        Path copy = work.resolve("shoal.service");
        Files.writeString(copy, unit.replace("ExecStart=/opt/shoal/bin/shoal ", "ExecStart=" + release.resolve("bin/shoal") + " "));
        Lab.Result r = Lab.run(List.of("systemd-analyze", "verify", copy.toString()), Duration.ofMinutes(1));
        assertEquals(0, r.code(), r.all());
        assertFalse(r.all().contains("shoal.service"), r.all());
    }

    @Test
    void completionAndManPagesComeFromTheCommandTree() {
        String script = release.resolve("completion/bash/shoal").toString();
        Lab.Result c = Lab.run(List.of("bash", "-c", "source \"$0\"; COMP_WORDS=(shoal serv); COMP_CWORD=1; _complete_shoal; "
                + "echo \"${COMPREPLY[@]}\"; COMP_WORDS=(shoal service l); COMP_CWORD=2; _complete_shoal; echo \"${COMPREPLY[@]}\"",
                script), Duration.ofMinutes(1));
        assertEquals(0, c.code(), c.all());
        List<String> lines = c.out().lines().toList();
        assertEquals(2, lines.size(), c.all());
        assertEquals("service", lines.get(0).strip(), c.all());
        assertTrue(new TreeSet<>(List.of(lines.get(1).strip().split(" "))).containsAll(List.of("logs", "ls")), c.all());
        Path page = release.resolve("man/man1/shoal-service-create.1");
        assertTrue(Files.exists(page), "a page per command");
        Lab.Result m = Lab.run(List.of("groff", "-man", "-Tascii", page.toString()), Duration.ofMinutes(1));
        assertEquals(0, m.code(), m.all());
        assertTrue(m.out().replaceAll(".\b", "").contains("--replicas"), m.out()); // without grotty's overstrikes
    }

    /** A PATH entry whose dpkg-query, apt-cache and apt-get pretend: conmon is neither installed nor installable. */
    private static Path fakeApt(Path dir, boolean conmonAvailable) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("fake-bin"));
        Path log = dir.resolve("apt-get.log");
        write(bin.resolve("dpkg-query"), "case \"$*\" in *conmon*) exit 1 ;; esac; printf 'install ok installed'\n");
        write(bin.resolve("apt-cache"), "case \"$*\" in *conmon*) echo '  Candidate: "
                + (conmonAvailable ? "2.1.6" : "(none)") + "' ;; *) echo '  Candidate: 1.0' ;; esac\n");
        write(bin.resolve("apt-get"), "echo \"$*\" >> " + log + "\n");
        return bin;
    }

    private static void write(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body);
        p.toFile().setExecutable(true);
    }

    @Test
    void installShRefusesAHostWhereAPackageCannotBeInstalledAndChangesNothing() throws IOException {
        Path dir = Files.createDirectories(work.resolve("refuse"));
        Path bin = fakeApt(dir, false);
        Path prefix = dir.resolve("opt/shoal");
        Map<String, String> env = new HashMap<>(Map.of("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin"));
        Lab.Result r = Lab.run(List.of(release.resolve("install.sh").toString(), "--prefix", prefix.toString(), "--no-start"),
                Duration.ofMinutes(1), env);
        assertEquals(1, r.code(), r.all());
        assertEquals("install.sh: package conmon cannot be installed from this host's apt sources; add a source that has it",
                r.err().strip());
        assertFalse(Files.exists(prefix.getParent()), "nothing installed");
        assertEquals(List.of("update -qq"), Files.readAllLines(dir.resolve("apt-get.log")), "apt-get installed nothing");
    }

    @Test
    void installShLaysTheReleaseOut() throws IOException {
        Path root = Files.createDirectories(work.resolve("staging"));
        Lab.Result r = Lab.run(List.of(release.resolve("install.sh").toString(), "--root", root.toString(), "--prefix", "/srv/shoal"),
                Duration.ofMinutes(1), Map.of("SHOAL_NATIVE_DIR", work.resolve("native").toString()));
        assertEquals(0, r.code(), r.all());
        assertTrue(Files.isExecutable(root.resolve("srv/shoal/runtime/bin/java")));
        assertEquals(Path.of("/srv/shoal/bin/shoal"), Files.readSymbolicLink(root.resolve("usr/local/bin/shoal")));
        assertTrue(Files.readString(root.resolve("etc/systemd/system/shoal.service")).contains("\nExecStart=/srv/shoal/bin/shoal daemon\n"));
        assertTrue(Files.exists(root.resolve("usr/share/bash-completion/completions/shoal")));
        assertTrue(Files.exists(root.resolve("usr/local/share/man/man1/shoal-node-ls.1")));
        assertTrue(Files.isDirectory(root.resolve("etc/shoal")));
        Lab.Result bad = Lab.run(List.of(release.resolve("install.sh").toString(), "--prefix", "relative/dir"), Duration.ofMinutes(1));
        assertEquals(2, bad.code(), bad.all());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    @Test
    void aLabHostRunsItsDaemonFromTheTarball() throws IOException {
        Path noexec = Files.createDirectories(work.resolve("noexec-tmp"));
        Lab.Result m = Lab.run(List.of("mount", "-t", "tmpfs", "-o", "noexec,size=64m", "shoal-e2e-release", noexec.toString()),
                Duration.ofMinutes(1));
        assertEquals(0, m.code(), m.all());
        Lab lab = new Lab("shoal-e2e-release");
        try {
            // the daemons and clients of this lab: the tarball's launcher and runtime, java's temporary
            // directory noexec; Netty's epoll (the unix socket needs it) loads from SHOAL_NATIVE_DIR
            Map<String, String> env = Map.of("SHOAL_BIN", release.resolve("bin/shoal").toString(), "JAVA_HOME", "",
                    "SHOAL_JAVA_OPTS", "-Djava.io.tmpdir=" + noexec, "SHOAL_NATIVE_DIR", work.resolve("native").toString());
            Lab.Result up = Lab.run(List.of(Lab.REPO.resolve("deploy/lab.sh").toString(), "up", "--name", lab.name,
                    "--managers", "1", "--workers", "1", "--dir", lab.dir.toString(), "--subnet", "10.213.31"), Duration.ofMinutes(5), env);
            assertEquals(0, up.code(), up.all());
            Lab.Result v = lab.cli("h1", "version");
            assertEquals(0, v.code(), v.all());
            assertTrue(v.out().matches("(?s).*Server:.*Version:\\s+" + version.replace(".", "\\.") + "\\b.*"), v.all());
            Lab.Result nodes = lab.awaitCli("h1", Duration.ofMinutes(2),
                    n -> n.code() == 0 && n.out().lines().filter(l -> l.contains("Ready") && l.contains(version)).count() == 2,
                    "node", "ls");
            assertEquals(0, nodes.code(), nodes.all());
        } finally {
            lab.close();
            Lab.run(List.of("umount", noexec.toString()), Duration.ofMinutes(1));
        }
    }
}
