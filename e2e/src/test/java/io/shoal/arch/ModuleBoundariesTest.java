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
 * nor Ratis; the worker and the manager never import each other, the node or the CLI; the node never
 * imports the CLI; the CLI reaches the node only to hand {@code shoal daemon} over to it, and never
 * the manager or the worker (a client speaks the API); the compose module is pure (the API's messages,
 * no gRPC); the distribution module stands alone; only
 * the manager's raft package imports Ratis. (The poms enforce the coarse part — a module does not
 * even have the jars it must not use — this test also catches the package-level rules.)
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
    void theManagerNeverImportsTheWorkerTheNodeOrTheCli() throws IOException {
        assertEquals(List.of(), violations("manager", Pattern.compile("^\\s*import\\s+(static\\s+)?io\\.shoal\\.(worker|node|cli)\\."), null));
        assertEquals(List.of(), violations("worker", Pattern.compile("^\\s*import\\s+(static\\s+)?io\\.shoal\\.(node|cli)\\."), null));
    }

    @Test
    void theNodeNeverImportsTheCli() throws IOException {
        assertEquals(List.of(), violations("node", Pattern.compile("io\\.shoal\\.cli\\."), null));
    }

    @Test
    void theCliIsAClientThatHandsOnlyTheDaemonToTheNode() throws IOException {
        assertEquals(List.of(), violations("cli", Pattern.compile("io\\.shoal\\.(manager|worker)\\."), null));
        assertEquals(List.of(), violations("cli", Pattern.compile("io\\.shoal\\.node\\."),
                Pattern.compile("^io/shoal/cli/daemon/")));
    }

    @Test
    void theComposeModuleIsPure() throws IOException {
        // compose files in, specs out: the API's messages and nothing of gRPC, Ratis or the other modules
        assertEquals(List.of(), violations("compose", Pattern.compile("^\\s*import\\s+(static\\s+)?(io\\.grpc|org\\.apache\\.ratis|io\\.netty)"), null));
        assertEquals(List.of(), violations("compose", Pattern.compile("io\\.shoal\\.(?!api\\b|compose\\b)"), null));
    }

    @Test
    void theDistributionModuleStandsAlone() throws IOException {
        assertEquals(List.of(), violations("distribution", Pattern.compile("io\\.shoal\\.(?!distribution\\b)"), null));
    }

    @Test
    void onlyTheRaftPackageImportsRatis() throws IOException {
        Pattern ratis = Pattern.compile("^\\s*import\\s+(static\\s+)?org\\.apache\\.ratis|org\\.apache\\.ratis\\.");
        assertEquals(List.of(), violations("manager", ratis, Pattern.compile("^io/shoal/manager/raft/")));
        for (String m : List.of("proto", "scheduler", "compose", "worker", "overlay-net", "distribution", "node", "cli")) {
            assertEquals(List.of(), violations(m, ratis, null), m + " must not use Ratis");
        }
    }

    @Test
    void theCheckCanFail() throws IOException {
        // the manager's raft package does import Ratis, and the CLI's daemon command the node: the scanner must see both
        assertTrue(!violations("manager", Pattern.compile("^\\s*import\\s+org\\.apache\\.ratis"), null).isEmpty());
        assertTrue(!violations("cli", Pattern.compile("io\\.shoal\\.node\\."), null).isEmpty());
    }
}
