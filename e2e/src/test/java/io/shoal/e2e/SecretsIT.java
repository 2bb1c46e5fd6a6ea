package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets and configs end to end: a manager (h1) and two workers (h2, h3) on namespaced hosts, real
 * containers. A secret is read at /run/secrets on the one node whose task uses it, from a tmpfs;
 * its value is in no file under any node's directory (Raft log and snapshots, container bundles,
 * logs), not on the other nodes even in memory, and gone from its node once no task there uses it;
 * configs are at their targets; a secret in use cannot be removed; bad input changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecretsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String VALUE = "shoal-secret-" + UUID.randomUUID();
    private static final String CONFIG = "shoal-config-" + UUID.randomUUID();
    private static Lab lab;
    private static String image;
    private static Path input;

    @BeforeAll
    static void up() throws IOException {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-secrets");
        lab.close();
        // a snapshot every 5 entries, so that the scan below reads one that holds the secret
        Lab.Result r = lab.up(1, 2, "10.213.21", "", "--snapshot-interval 5");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
        // the values come from files outside every node's directory, as a user's would
        input = Files.createTempDirectory("secrets-it");
        Files.writeString(input.resolve("db.pw"), VALUE);
        Files.writeString(input.resolve("app.conf"), CONFIG);
    }

    @AfterAll
    static void down() throws IOException {
        if (lab != null) {
            lab.close();
        }
        if (input != null) {
            for (String f : List.of("db.pw", "app.conf", "big")) {
                Files.deleteIfExists(input.resolve(f));
            }
            Files.deleteIfExists(input);
        }
    }

    private static JsonNode task(String service) {
        Lab.Result r = lab.awaitCli("h1", CONVERGE, x -> x.code() == 0 && running(x) != null,
                "service", "ps", "--no-trunc", "--filter", "desired-state=running", "--format", "json", service);
        return running(r);
    }

    private static JsonNode running(Lab.Result r) {
        try {
            for (JsonNode t : JSON.readTree(r.out())) {
                if (t.get("CurrentState").asText().startsWith("Running")) {
                    return t;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "\n--- h2 log:\n" + lab.log("h2"));
            }
            Thread.sleep(100);
        }
    }

    private static Path bundle(JsonNode task) {
        return lab.hostDir(task.get("Node").asText()).resolve("data/containers/bundles/shoal-" + task.get("ID").asText());
    }

    /** The container's file system as its process sees it. */
    private static Path inContainer(JsonNode task, String path) throws IOException {
        String pid = Files.readString(bundle(task).resolve("pidfile")).trim();
        return Path.of("/proc", pid, "root").resolve(path.substring(1));
    }

    /** The file system type of the container's mount at {@code path}, from its own mountinfo. */
    private static String mountType(JsonNode task, String path) throws IOException {
        String pid = Files.readString(bundle(task).resolve("pidfile")).trim();
        for (String line : Files.readAllLines(Path.of("/proc", pid, "mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals(path)) {
                return line.substring(line.indexOf(" - ") + 3).split(" ")[0];
            }
        }
        return "(not a mount)";
    }

    @Test
    @Order(1)
    void aSecretIsReadAtRunSecretsFromATmpfsOnItsNodeOnly() throws Exception {
        assertEquals(0, lab.cli("h1", "secret", "create", "--label", "app=api", "db", input.resolve("db.pw").toString()).code());
        assertEquals(0, lab.cli("h1", "config", "create", "app.conf", input.resolve("app.conf").toString()).code());
        Lab.Result create = lab.cli("h1", "service", "create", "--name", "api", "--constraint", "node.hostname==h2",
                "--secret", "db", "--secret", "source=db,target=/etc/db.pw,uid=1000,gid=1000,mode=0400",
                "--config", "source=app.conf,target=/etc/app.conf", image, "sleep", "3600");
        assertEquals(0, create.code(), create.all() + "\n" + lab.log("h2"));
        JsonNode t = task("api");
        assertEquals("h2", t.get("Node").asText());

        assertEquals(VALUE, Files.readString(inContainer(t, "/run/secrets/db")));
        assertEquals("tmpfs", mountType(t, "/run/secrets/db"), "the secret is on a tmpfs in the container");
        Path pw = inContainer(t, "/etc/db.pw");
        assertEquals(VALUE, Files.readString(pw));
        assertEquals(1000, Files.getAttribute(pw, "unix:uid"));
        assertEquals(0400, (int) Files.getAttribute(pw, "unix:mode") & 0777);
        assertEquals(0444, (int) Files.getAttribute(inContainer(t, "/run/secrets/db"), "unix:mode") & 0777);
        assertEquals(CONFIG, Files.readString(inContainer(t, "/etc/app.conf")), "the config at its target");
        assertEquals("tmpfs", Files.getFileStore(bundle(t).resolve("files")).type(), "on the node too: memory, not disk");

        byte[] value = VALUE.getBytes(StandardCharsets.UTF_8);
        long created = JSON.readTree(lab.cli("h1", "secret", "inspect", "db").out()).get(0).get("Version").get("Index").asLong();
        for (int i = 0; snapshotIndex("h1") < created; i++) { // more writes until a snapshot holds the secret
            assertTrue(i < 30, "no Raft snapshot at or after index " + created + " on h1");
            assertEquals(0, lab.cli("h1", "node", "update", "--label-add", "snap=" + i, "h3").code());
        }
        for (String h : List.of("h1", "h2", "h3")) {
            List<Path> found = Scan.files(lab.hostDir(h), value, true);
            assertEquals(List.of(), found, "no file on " + h + "'s disk holds the value");
        }
        for (String h : List.of("h1", "h3")) {
            assertEquals(List.of(), Scan.files(lab.hostDir(h), value, false), "nothing on " + h + " holds it, tmpfs included");
        }
        assertTrue(Scan.memory(lab.daemonPid("h2"), value), "the daemon of h2 holds the value (the scan can find it)");
        assertFalse(Scan.memory(lab.daemonPid("h3"), value), "h3 runs no task of it: its daemon never received it");
        String inspect = lab.cli("h1", "secret", "inspect", "db").out() + lab.cli("h1", "service", "inspect", "api").out()
                + lab.cli("h1", "secret", "ls", "--format", "json").out();
        assertFalse(inspect.contains(VALUE), inspect);
        assertTrue(inspect.contains("\"app\" : \"api\""), inspect);
    }

    /** The Raft index of the newest snapshot a manager took (file snapshot.TERM_INDEX), -1 when none. */
    private static long snapshotIndex(String host) throws IOException {
        try (var files = Files.walk(lab.hostDir(host).resolve("data"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("snapshot\\.\\d+_\\d+"))
                    .mapToLong(n -> Long.parseLong(n.substring(n.indexOf('_') + 1))).max().orElse(-1);
        }
    }

    @Test
    @Order(2)
    void aSecretOrConfigInUseCannotBeRemovedAndBadInputChangesNothing() throws IOException {
        Lab.Result rm = lab.cli("h1", "secret", "rm", "db");
        assertEquals(1, rm.code(), rm.all());
        assertEquals("Error: secret 'db' is in use by the following service: api", rm.err().strip());
        Lab.Result crm = lab.cli("h1", "config", "rm", "app.conf");
        assertEquals("Error: config 'app.conf' is in use by the following service: api", crm.err().strip());
        String before = lab.cli("h1", "secret", "ls", "-q").out() + lab.cli("h1", "service", "ls", "-q").out();

        Lab.Result dup = lab.cli("h1", "secret", "create", "db", input.resolve("db.pw").toString());
        assertEquals(1, dup.code());
        assertEquals("Error: secret db already exists", dup.err().strip());
        Lab.Result missing = lab.cli("h1", "secret", "create", "other", input.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertEquals("Error: cannot read " + input.resolve("nope") + ": no such file", missing.err().strip());
        Files.write(input.resolve("big"), new byte[500 * 1024]);
        Lab.Result big = lab.cli("h1", "secret", "create", "big", input.resolve("big").toString());
        assertEquals(1, big.code());
        assertTrue(big.err().startsWith("Error: secret data must be larger than 0 and less than 500 KiB"), big.err());
        Lab.Result unknown = lab.cli("h1", "service", "create", "--name", "other", "--secret", "nope", image, "sleep", "3600");
        assertEquals(1, unknown.code());
        assertEquals("Error: secret not found: nope", unknown.err().strip());
        Lab.Result unknownConfig = lab.cli("h1", "service", "create", "--name", "other", "--config", "nope", image, "sleep", "3600");
        assertEquals("Error: config not found: nope", unknownConfig.err().strip());
        Lab.Result badMode = lab.cli("h1", "service", "create", "--name", "other", "--secret", "source=db,mode=0999", image, "true");
        assertEquals(2, badMode.code(), badMode.all());
        for (Lab.Result r : List.of(dup, missing, big, unknown, unknownConfig, badMode)) {
            assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("Error:")).count(), "one line: " + r.err());
        }
        assertEquals(before, lab.cli("h1", "secret", "ls", "-q").out() + lab.cli("h1", "service", "ls", "-q").out(), "nothing changed");
    }

    @Test
    @Order(3)
    void anUpdateAddsAndRemovesSecretsAndTheOldContainersFilesGo() throws Exception {
        JsonNode before = task("api");
        Path oldFiles = bundle(before).resolve("files");
        assertEquals(0, lab.cli("h1", "secret", "create", "db2", input.resolve("app.conf").toString()).code());
        Lab.Result update = lab.cli("h1", "service", "update", "--secret-add", "source=db2,target=second", "--secret-rm", "db", "api");
        assertEquals(0, update.code(), update.all());
        JsonNode after = task("api");
        assertFalse(after.get("ID").asText().equals(before.get("ID").asText()), "the task was replaced");
        assertEquals(CONFIG, Files.readString(inContainer(after, "/run/secrets/second")));
        assertFalse(Files.exists(inContainer(after, "/run/secrets/db")), "both references to db were removed");
        assertFalse(Files.exists(inContainer(after, "/etc/db.pw")));
        // no task on h2 uses db any more: the replaced container's tmpfs goes once it has exited
        await("the old container's tmpfs is unmounted", () -> !mounted(oldFiles));
        assertFalse(Files.exists(oldFiles));
        assertEquals(List.of(), Scan.files(lab.hostDir("h2"), VALUE.getBytes(StandardCharsets.UTF_8), false),
                "no file on h2 holds db's value any more, tmpfs included");
    }

    @Test
    @Order(4)
    void onceTheServiceIsGoneItsFilesLeaveTheNodeAndEverythingCanBeRemoved() throws Exception {
        JsonNode t = task("api");
        Path files = bundle(t).resolve("files");
        assertTrue(mounted(files));
        assertEquals(0, lab.cli("h1", "service", "rm", "api").code());
        await("the last container's tmpfs is unmounted", () -> !mounted(files));
        for (String[] rm : new String[][] {{"secret", "rm", "db", "db2"}, {"config", "rm", "app.conf"}}) {
            Lab.Result r = lab.cli("h1", rm);
            assertEquals(0, r.code(), r.all());
        }
        assertEquals("", lab.cli("h1", "secret", "ls", "-q").out().strip());
        assertEquals("", lab.cli("h1", "config", "ls", "-q").out().strip());
    }

    private static boolean mounted(Path p) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.split(" ")[1].equals(p.toString()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Helpers that look for a value in a node's files and in a process's memory. */
    static final class Scan {
        private Scan() {}

        /**
         * The regular files under {@code dir} that hold {@code value}; with {@code diskOnly}, files
         * on tmpfs and overlay mounts are left out (memory, and views of what is scanned anyway).
         */
        static List<Path> files(Path dir, byte[] value, boolean diskOnly) throws IOException {
            List<String> skip = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (diskOnly && (f[2].equals("tmpfs") || f[2].equals("overlay")) && f[1].startsWith(dir.toString())) {
                    skip.add(f[1]);
                }
            }
            List<Path> found = new ArrayList<>();
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.filter(Files::isRegularFile).toList()) {
                    if (skip.stream().anyMatch(m -> p.startsWith(m))) {
                        continue;
                    }
                    try {
                        if (indexOf(Files.readAllBytes(p), value, 0) >= 0) {
                            found.add(p);
                        }
                    } catch (IOException gone) {
                        // removed while we looked (a log rotated, a task cleaned up)
                    }
                }
            }
            return found;
        }

        /** Whether the readable memory of process {@code pid} holds {@code value} (/proc/PID/maps and mem; needs root). */
        static boolean memory(long pid, byte[] value) throws IOException {
            int chunk = 8 << 20;
            try (var mem = new RandomAccessFile("/proc/" + pid + "/mem", "r")) {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                    String[] f = line.split("\\s+");
                    if (!f[1].startsWith("r") || line.endsWith("[vvar]") || line.endsWith("[vsyscall]")) {
                        continue;
                    }
                    String[] range = f[0].split("-");
                    long start = Long.parseUnsignedLong(range[0], 16);
                    long end = Long.parseUnsignedLong(range[1], 16);
                    for (long pos = start; pos < end; pos += chunk) {
                        byte[] buf = new byte[(int) Math.min(chunk + value.length - 1, end - pos)];
                        try {
                            mem.seek(pos);
                            mem.readFully(buf);
                        } catch (IOException unreadable) {
                            break;
                        }
                        if (indexOf(buf, value, 0) >= 0) {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        static int indexOf(byte[] hay, byte[] needle, int from) {
            outer:
            for (int i = from; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
