package io.shoal.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module rules of ARCHITECTURE.md, checked on the sources: the scheduler imports neither gRPC
 * nor Ratis; the worker never imports the manager; only the manager's raft package imports Ratis.
 * (The poms enforce the coarse part — the scheduler and worker do not even have those jars — this
 * test also catches the package-level rule inside the manager.)
 */
class ModuleBoundariesTest {
    private static final Path REPO = repo();

    private static Path repo() {
        String p = System.getProperty("shoal.repo");
        Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scheduler"))) {
            dir = dir.getParent();
        }
        return dir;
    }

    private static List<String> violations(String module, Pattern forbidden, Pattern allowedPath) throws IOException {
        Path src = REPO.resolve(module).resolve("src/main/java");
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(src)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                String rel = src.relativize(f).toString();
                if (allowedPath != null && allowedPath.matcher(rel).find()) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (forbidden.matcher(lines.get(i)).find()) {
                        out.add(module + "/" + rel + ":" + (i + 1) + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        return out;
    }

    @Test
    void repositoryIsFound() {
        assertTrue(REPO != null && Files.isDirectory(REPO.resolve("manager/src/main/java")), "repo root not found: " + REPO);
    }

    @Test
    void schedulerImportsNeitherGrpcNorRatis() throws IOException {
        assertEquals(List.of(), violations("scheduler", Pattern.compile("^\\s*import\\s+(static\\s+)?(io\\.grpc|org\\.apache\\.ratis)"), null));
    }

    @Test
    void workerNeverImportsTheManager() throws IOException {
        assertEquals(List.of(), violations("worker", Pattern.compile("^\\s*import\\s+(static\\s+)?io\\.shoal\\.manager"), null));
    }

    @Test
    void onlyTheRaftPackageImportsRatis() throws IOException {
        Pattern ratis = Pattern.compile("^\\s*import\\s+(static\\s+)?org\\.apache\\.ratis|org\\.apache\\.ratis\\.");
        assertEquals(List.of(), violations("manager", ratis, Pattern.compile("^io/shoal/manager/raft/")));
        for (String m : List.of("proto", "scheduler", "worker", "overlay-net", "cli")) {
            assertEquals(List.of(), violations(m, ratis, null), m + " must not use Ratis");
        }
    }

    @Test
    void theCheckCanFail() throws IOException {
        // the manager's raft package does import Ratis: the scanner must see it
        assertTrue(!violations("manager", Pattern.compile("^\\s*import\\s+org\\.apache\\.ratis"), null).isEmpty());
    }
}
