package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shoal.worker.fs.Trees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Disaster recovery on the namespaced hosts, with real containers: 3 managers (h1-h3), a worker
 * (h4) and a spare host (h5). {@code init --force-new-cluster} is refused on a worker, outside a
 * cluster and while the cluster has quorum; after two managers are killed (-9) and their data
 * deleted, the survivor starts a new cluster from its data while the worker's containers keep
 * running (same container ids and processes), writes work again and a new manager joins. Then a
 * stopped manager's data dir, copied, restores the cluster on another host that takes over the
 * lost manager's address.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static Lab lab;
    private static String image;
    /** the worker's containers (id -> pid) before anything was lost */
    private static Map<String, Long> workerContainers;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-recovery");
        lab.close();
        Lab.Result r = lab.up(3, 2, "10.213.47");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        // h5 is a spare host outside the cluster
        assertEquals(0, lab.cli("h5", "leave").code());
        lab.awaitCli("h1", CONVERGE, x -> x.code() == 0, "node", "rm", "--force", "h5");
        image = lab.registry();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    private static JsonNode json(Lab.Result r) {
        assertEquals(0, r.code(), "command failed: " + r.all());
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.out(), e);
        }
    }

    /** The containers HOST's daemon runs (runc's and crun's): id -> pid. */
    private static Map<String, Long> containers(String host) {
        return HostContainers.running(lab.hostDir(host).resolve("data"));
    }

    private static void assertRefused(Lab.Result r, String says) {
        assertEquals(1, r.code(), r.all());
        String err = r.err().strip();
        assertTrue(err.contains(says) && !err.contains("\n") && !err.contains("Exception"), err);
    }

    private static Set<String> names(String host, String... listCommand) {
        Set<String> out = new TreeSet<>();
        String[] args = new String[listCommand.length + 2];
        System.arraycopy(listCommand, 0, args, 0, listCommand.length);
        args[listCommand.length] = "--format";
        args[listCommand.length + 1] = "json";
        json(lab.cli(host, args)).forEach(n -> out.add(n.get("Name").asText()));
        return out;
    }

    private static int managers(String host) {
        return managers(lab.cli(host, "node", "ls", "--format", "json"));
    }

    /** How many managers a {@code node ls --format json} lists. */
    private static int managers(Lab.Result nodeLs) {
        int n = 0;
        for (JsonNode node : json(nodeLs)) {
            n += node.get("ManagerStatus").asText().isEmpty() ? 0 : 1;
        }
        return n;
    }

    /** Whether a {@code node ls --format json} lists HOSTNAME as Ready. */
    private static boolean ready(Lab.Result nodeLs, String hostname) {
        for (JsonNode node : json(nodeLs)) {
            if (node.get("Hostname").asText().equals(hostname) && node.get("Status").asText().equals("Ready")) {
                return true;
            }
        }
        return false;
    }

    /** A manager lost for good: killed with SIGKILL, its data dir deleted. */
    private static void lose(String host) throws IOException {
        Lab.Result kill = lab.host("kill", host);
        assertEquals(0, kill.code(), kill.all());
        Trees.delete(lab.hostDir(host).resolve("data"));
    }

    /**
     * Runs {@code init --force-new-cluster} on HOST once the cluster has no leader there, and
     * prints how long the command and the way back to a running cluster took.
     */
    private static void forceNewCluster(String host, String figure) {
        // a follower keeps the last leader until its election timeout: wait for the cluster to say it has none
        lab.awaitCli(host, CONVERGE, r -> r.code() == 0 && json(r).has("Error"), "info", "--format", "json");
        long start = System.nanoTime();
        Lab.Result f = lab.cli(host, "init", "--force-new-cluster");
        long commandMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, f.code(), f.all() + "\n--- " + host + " log:\n" + lab.log(host));
        assertTrue(f.out().contains("shoal join --token"), f.out());
        lab.awaitCli(host, CONVERGE, r -> r.code() == 0 && json(r).findValuesAsText("Replicas").contains("2/2"),
                "service", "ls", "--format", "json");
        long runningMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("RecoveryIT %s: init --force-new-cluster took %d ms; %d ms from the command to the service "
                + "listed 2/2 by the new cluster%n", figure, commandMs, runningMs);
    }

    @Test
    @Order(1)
    void theSurvivorOfAQuorumLossStartsANewClusterWhileTasksKeepRunning() throws IOException {
        Path secret = lab.dir.resolve("db-password.txt");
        Files.writeString(secret, "s3cret");
        assertEquals(0, lab.cli("h1", "network", "create", "backend").code());
        assertEquals(0, lab.cli("h1", "secret", "create", "db-password", secret.toString()).code());
        Lab.Result web = lab.cli("h1", "service", "create", "--name", "web", "--replicas", "2", "--constraint", "node.role==worker",
                "--network", "backend", "--secret", "db-password", image, "sleep", "3600");
        assertEquals(0, web.code(), web.all());
        workerContainers = containers("h4");
        assertEquals(2, workerContainers.size(), workerContainers.toString());

        // bad input: one line, exit 1, nothing changed
        assertRefused(lab.cli("h4", "init", "--force-new-cluster"), "worker");
        assertRefused(lab.cli("h5", "init", "--force-new-cluster"), "not part of a cluster");
        assertRefused(lab.cli("h1", "init", "--force-new-cluster"), "quorum");
        Lab.Result moved = lab.cli("h1", "init", "--force-new-cluster", "--advertise-addr", "10.213.47.99");
        assertEquals(2, moved.code(), moved.all());
        assertTrue(moved.err().contains("--force-new-cluster takes no other flag"), moved.err());
        assertEquals(3, managers("h1"));

        lose("h2");
        lose("h3");
        forceNewCluster("h1", "(2 of 3 managers lost)");
        assertEquals(workerContainers, containers("h4"), "the worker's containers ran on, untouched");
        assertEquals(Set.of("web"), names("h1", "service", "ls"));
        assertTrue(names("h1", "network", "ls").contains("backend"));
        assertEquals(Set.of("db-password"), names("h1", "secret", "ls"));
        assertEquals(1, managers("h1"));
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && ready(r, "h4"), "node", "ls", "--format", "json");

        // writes again; a new manager joins and writes through it
        Lab.Result after = lab.cli("h1", "service", "create", "--name", "after", "--constraint", "node.hostname==h4", image, "sleep", "3600");
        assertEquals(0, after.code(), after.all());
        String token = lab.cli("h1", "join-token", "-q", "manager").out().strip();
        Lab.Result join = lab.cli("h5", "join", "--token", token, lab.ip("h1") + ":4242");
        assertEquals(0, join.code(), join.all() + "\n" + lab.log("h5"));
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && managers(r) == 2, "node", "ls", "--format", "json");
        Lab.Result viaH5 = lab.cli("h5", "network", "create", "via-h5");
        assertEquals(0, viaH5.code(), viaH5.all());
        assertTrue(names("h1", "network", "ls").contains("via-h5"));
    }

    @Test
    @Order(2)
    void aStoppedManagersDataDirRestoresTheClusterOnAnotherHost() throws IOException {
        Map<String, Long> before = containers("h4"); // web's and after's
        assertEquals(3, before.size(), before.toString());
        // backup: h1's data dir, copied while its daemon is stopped
        Path backup = lab.dir.resolve("h1-backup");
        assertEquals(0, lab.host("stop", "h1").code());
        Lab.Result copy = Lab.run(List.of("cp", "-a", lab.hostDir("h1").resolve("data").toString(), backup.toString()), Duration.ofSeconds(60));
        assertEquals(0, copy.code(), copy.all());
        assertEquals(0, lab.host("start", "h1").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && managers(r) == 2, "node", "ls", "--format", "json");
        Lab.Result late = lab.cli("h1", "network", "create", "after-backup");
        assertEquals(0, late.code(), late.all());

        // every manager lost; h2 (a new, empty host) takes over h1's address and restores the backup there
        lose("h1");
        lose("h5");
        String ip1 = lab.ip("h1");
        assertEquals(0, lab.exec("h1", "ip", "addr", "del", ip1 + "/24", "dev", "eth0").code());
        assertEquals(0, lab.exec("h2", "ip", "addr", "add", ip1 + "/24", "dev", "eth0").code());
        Lab.Result restore = Lab.run(List.of("cp", "-a", backup.toString(), lab.hostDir("h2").resolve("data").toString()), Duration.ofSeconds(60));
        assertEquals(0, restore.code(), restore.all());
        assertEquals(0, lab.host("start", "h2").code(), lab.log("h2"));
        forceNewCluster("h2", "(restored from a backup on another host)");

        assertEquals(before, containers("h4"), "the worker's containers ran on, untouched");
        assertEquals(Set.of("web", "after"), names("h2", "service", "ls"));
        Set<String> networks = names("h2", "network", "ls");
        assertTrue(networks.contains("via-h5") && !networks.contains("after-backup"), "the backup's networks: " + networks);
        lab.awaitCli("h2", CONVERGE, r -> r.code() == 0 && ready(r, "h4"), "node", "ls", "--format", "json");
        Lab.Result write = lab.cli("h2", "network", "create", "restored");
        assertEquals(0, write.code(), write.all());
    }
}
