package io.shoal.e2e;

import io.shoal.worker.fs.Trees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An earlier release of Shoal, built from this repository's history: the commit is exported with
 * {@code git archive} into a temporary directory (outside the repository, so nothing of the
 * repository or its worktrees changes) and built there with the JDK this test runs on and Maven
 * offline ({@code -o -DskipTests package}), from the Maven repository this build uses (the
 * {@code maven.repo.local} property when given, else Maven's default). Its {@code shoal} launcher
 * then runs that release's daemons. A clone without the commit (a shallow one) fails with a line
 * saying so: the upgrade test must not pass by testing nothing. {@link #close} removes the tree.
 */
final class PreviousRelease implements AutoCloseable {
    /** one offline build of the whole reactor takes ~45 s here, several minutes on a loaded machine */
    private static final Duration BUILD = Duration.ofMinutes(20);

    final String commit;
    final Path tree;

    private PreviousRelease(String commit, Path tree) {
        this.commit = commit;
        this.tree = tree;
    }

    /** Exports COMMIT (a commit id or any ref git resolves) and builds it; throws AssertionError with one line if it cannot. */
    static PreviousRelease build(String ref) throws IOException {
        Lab.Result shallow = git("rev-parse", "--is-shallow-repository");
        if (shallow.code() != 0) {
            throw new AssertionError("cannot read the history of " + Lab.REPO + " (is it a git clone?): " + shallow.all().strip());
        }
        if (shallow.out().strip().equals("true")) {
            throw new AssertionError("the previous release " + ref + " cannot be built: " + Lab.REPO
                    + " is a shallow clone; fetch its history first (git fetch --unshallow)");
        }
        Lab.Result resolved = git("rev-parse", "--verify", "--quiet", ref + "^{commit}");
        if (resolved.code() != 0) {
            throw new AssertionError("the previous release " + ref + " is not a commit of " + Lab.REPO
                    + "'s history (set -Dshoal.upgrade.from=COMMIT to another)");
        }
        String commit = resolved.out().strip();
        Path tree = Files.createTempDirectory("shoal-release-" + commit.substring(0, 12) + "-");
        PreviousRelease release = new PreviousRelease(commit, tree);
        try {
            Lab.Result export = Lab.run(List.of("sh", "-c", "git -C \"$0\" archive --format=tar \"$1\" | tar -x -C \"$2\"",
                    Lab.REPO.toString(), commit, tree.toString()), Duration.ofMinutes(2));
            if (export.code() != 0) {
                throw new AssertionError("cannot export " + commit + " with git archive: " + export.all().strip());
            }
            List<String> mvn = new ArrayList<>(List.of("mvn", "-B", "-o", "-q", "-DskipTests", "-f", tree.resolve("pom.xml").toString()));
            String repository = System.getProperty("maven.repo.local");
            if (repository != null && !repository.isBlank()) {
                mvn.add("-Dmaven.repo.local=" + repository);
            }
            mvn.add("package");
            long start = System.nanoTime();
            Lab.Result built = Lab.run(mvn, BUILD, Map.of("JAVA_HOME", System.getProperty("java.home")));
            System.out.printf("PreviousRelease: %s built in %d s (Maven repository: %s)%n", commit,
                    (System.nanoTime() - start) / 1_000_000_000, repository == null ? "Maven's default" : repository);
            if (built.code() != 0) {
                List<String> lines = built.all().lines().filter(l -> l.contains("ERROR")).limit(20).toList();
                throw new AssertionError("the previous release " + commit + " does not build offline (mvn -o -DskipTests package in "
                        + tree + "):\n" + String.join("\n", lines));
            }
            if (!Files.isExecutable(release.launcher())) {
                throw new AssertionError("the previous release " + commit + " has no executable " + release.launcher());
            }
            return release;
        } catch (RuntimeException | AssertionError e) {
            release.close();
            throw e;
        }
    }

    /** Its {@code shoal} launcher (at the top of the tree, as in every release so far). */
    Path launcher() {
        return tree.resolve("shoal");
    }

    private static Lab.Result git(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", Lab.REPO.toString()));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofMinutes(1));
    }

    @Override
    public void close() throws IOException {
        Trees.delete(tree);
    }
}
