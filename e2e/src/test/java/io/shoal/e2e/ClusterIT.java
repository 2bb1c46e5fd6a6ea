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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The foundation end to end: real daemons in network namespaces (3 managers, 2 workers and a
 * spare host), driven only through the CLI. The steps build on each other, so they run in order
 * on one lab; the lab is torn down even when a step fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(30);
    private static Lab lab;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-cluster");
        lab.close(); // a leftover from an aborted run
        Lab.Result r = lab.up(3, 3, "10.213.1");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    static JsonNode json(Lab.Result r) {
        assertEquals(0, r.code(), "command failed: " + r.all());
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.out(), e);
        }
    }

    static List<JsonNode> nodes(String host) {
        List<JsonNode> out = new ArrayList<>();
        Lab.Result r = lab.cli(host, "node", "ls", "--format", "json");
        assertEquals(0, r.code(), () -> "node ls on " + host + " failed: " + r.all() + "\n--- " + host + " log:\n" + lab.log(host));
        json(r).forEach(out::add);
        return out;
    }

    private static boolean clusterReady(Lab.Result r, int expected) {
        if (r.code() != 0) {
            return false;
        }
        try {
            JsonNode arr = JSON.readTree(r.out());
            int ready = 0;
            int leaders = 0;
            int reachable = 0;
            for (JsonNode n : arr) {
                ready += n.get("Status").asText().equals("Ready") ? 1 : 0;
                leaders += n.get("ManagerStatus").asText().equals("Leader") ? 1 : 0;
                reachable += n.get("ManagerStatus").asText().equals("Reachable") ? 1 : 0;
            }
            return arr.size() == expected && ready == expected && leaders == 1 && reachable == 2;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    @Order(1)
    void fiveNodesAreReadyWithOneLeader() {
        // h6 is the spare host: the lab made 3 workers; take the third out to use as a stranger later
        Lab.Result left = lab.cli("h6", "leave");
        assertEquals(0, left.code(), left.all());
        Lab.Result rm = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0, "node", "rm", "h6");
        assertTrue(rm.out().trim().length() > 0);
        Lab.Result ls = lab.awaitCli("h1", CONVERGE, r -> clusterReady(r, 5), "node", "ls", "--format", "json");
        Map<String, String> roles = new HashMap<>();
        for (JsonNode n : json(ls)) {
            roles.put(n.get("Hostname").asText(), n.get("ManagerStatus").asText());
            assertTrue(n.get("Address").asText().startsWith("10.213.1."), n.toString());
        }
        assertEquals(Map.of("h1", roles.get("h1"), "h2", roles.get("h2"), "h3", roles.get("h3"), "h4", "", "h5", ""), roles);
        // the table for people has the documented columns
        Lab.Result table = lab.cli("h2", "node", "ls");
        assertEquals(0, table.code(), table.all());
        assertTrue(table.out().lines().findFirst().orElse("").matches("ID\\s+HOSTNAME\\s+STATUS\\s+AVAILABILITY\\s+MANAGER STATUS\\s+ADDRESS\\s+ENGINE VERSION\\s*"),
                table.out());
        // a worker's socket sends clients to a manager, as docker does; its own node it still describes
        Lab.Result onWorker = lab.cli("h4", "node", "ls");
        assertEquals(1, onWorker.code(), onWorker.all());
        assertEquals("Error: this node is not a manager: use a manager's socket or -H tcp://MANAGER", onWorker.err().strip());
        Lab.Result workerInfo = lab.cli("h4", "info", "--format", "json");
        assertEquals(0, workerInfo.code(), workerInfo.all());
        assertTrue(json(workerInfo).get("ManagerAddresses").toString().contains(lab.ip("h1") + ":4242"), workerInfo.out());
        // every node reports the version its daemon runs, and `shoal version` shows the client's and the daemon's
        Lab.Result version = lab.cli("h4", "version", "--format", "json");
        assertEquals(0, version.code(), version.all());
        JsonNode v = json(version);
        String engine = v.get("Server").get("Version").asText();
        assertEquals(v.get("Client").get("Version").asText(), engine, version.out());
        assertFalse(engine.isBlank() || engine.equals("unknown"), version.out());
        assertEquals(v.get("Client").get("GitCommit").asText(), v.get("Server").get("GitCommit").asText(), version.out());
        for (JsonNode n : json(ls)) {
            assertEquals(engine, n.get("EngineVersion").asText(), n.toString());
        }

        // every daemon serves Prometheus metrics (lab.sh starts them with --metrics-addr IP:9323);
        // the managers' say who leads and what they applied, a worker's only the JVM's
        double leaders = 0;
        for (String m : List.of("h1", "h2", "h3")) {
            Lab.Result scrape = lab.exec("h4", "curl", "-sf", "http://" + lab.ip(m) + ":9323/metrics");
            assertEquals(0, scrape.code(), scrape.all());
            assertTrue(scrape.out().contains("shoal_store_applied_index "), scrape.out());
            assertTrue(scrape.out().contains("shoal_store_objects{kind=\"node\"} "), scrape.out());
            leaders += scrape.out().lines().filter(l -> l.startsWith("shoal_raft_leader ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1])).sum();
        }
        assertEquals(1.0, leaders, "one manager says it leads");
        Lab.Result worker = lab.exec("h1", "curl", "-sf", "http://" + lab.ip("h4") + ":9323/metrics");
        assertEquals(0, worker.code(), worker.all());
        assertTrue(worker.out().contains("jvm_memory_used_bytes{"), worker.out());
        assertFalse(worker.out().contains("shoal_store_applied_index"), "a worker has no store");
    }

    @Test
    @Order(2)
    void badTokensAreRefusedAndChangeNothing() {
        String token = lab.cli("h1", "join-token", "-q", "worker").out().trim();
        assertTrue(token.startsWith("SHTKN-1-"), token);
        String managerAddr = lab.ip("h1") + ":4242";
        int before = nodes("h1").size();

        String corrupted = token.substring(0, token.length() - 3) + (token.endsWith("aaa") ? "bbb" : "aaa");
        Lab.Result bad = lab.cli("h6", "join", "--token", corrupted, managerAddr);
        assertEquals(1, bad.code(), bad.all());
        assertTrue(bad.err().contains("token"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), "one line: " + bad.err());

        Lab.Result garbage = lab.cli("h6", "join", "--token", "SHTKN-1-nothex-x", managerAddr);
        assertEquals(1, garbage.code(), garbage.all());
        assertTrue(garbage.err().contains("token"), garbage.err());

        Lab.Result rotated = lab.cli("h1", "join-token", "--rotate", "-q", "worker");
        assertEquals(0, rotated.code(), rotated.all());
        assertNotEquals(token, rotated.out().trim());
        Lab.Result old = lab.cli("h6", "join", "--token", token, managerAddr);
        assertEquals(1, old.code(), old.all());
        assertTrue(old.err().contains("token"), old.err());

        Lab.Result unreachable = lab.cli("h6", "join", "--token", rotated.out().trim(), "10.213.1.99:4242");
        assertEquals(1, unreachable.code(), unreachable.all());
        assertTrue(unreachable.err().contains("cannot reach a manager at 10.213.1.99:4242"), unreachable.err());

        assertEquals(before, nodes("h1").size(), "a refused join must not add a node");
        Lab.Result info = lab.cli("h6", "info");
        assertEquals(1, info.code(), "the refused node is still in no cluster: " + info.all());
    }

    @Test
    @Order(3)
    void badRequestsGetOneLineAndChangeNothing() {
        String before = lab.cli("h1", "node", "ls", "-q").out();
        Lab.Result unknown = lab.cli("h2", "node", "inspect", "no-such-node");
        assertEquals(1, unknown.code(), unknown.all());
        assertEquals("Error: node no-such-node not found", unknown.err().strip());
        Lab.Result again = lab.cli("h2", "init");
        assertEquals(1, again.code(), again.all());
        assertTrue(again.err().contains("already part of a cluster"), again.err());
        Lab.Result badFlag = lab.cli("h1", "node", "update", "--availability", "sideways", "h4");
        assertEquals(2, badFlag.code(), badFlag.all());
        Lab.Result rmManager = lab.cli("h3", "node", "rm", "h2");
        assertEquals(1, rmManager.code(), rmManager.all());
        assertTrue(rmManager.err().contains("is a manager: demote it first"), rmManager.err());
        Lab.Result rmReady = lab.cli("h1", "node", "rm", "h5");
        assertEquals(1, rmReady.code(), rmReady.all());
        assertTrue(rmReady.err().contains("is not down"), rmReady.err());
        Lab.Result leaveManager = lab.cli("h3", "leave");
        assertEquals(1, leaveManager.code(), leaveManager.all());
        assertTrue(leaveManager.err().contains("--force"), leaveManager.err());
        assertEquals(before, lab.cli("h1", "node", "ls", "-q").out(), "nothing changed");
    }

    @Test
    @Order(4)
    void aCertificateFromAnotherClusterCannotConnect() throws IOException {
        // h6 starts its own one-node cluster: a stranger with a perfectly valid certificate of another CA
        Lab.Result init = lab.cli("h6", "init", "--advertise-addr", lab.ip("h6"));
        assertEquals(0, init.code(), init.all());
        Path stranger = certDir("h6", "h1");
        // the CLI runs inside h5's namespace: the lab's addresses are only reachable there
        Lab.Result denied = overTcp("h5", stranger, "node", "ls");
        assertEquals(1, denied.code(), denied.all());
        assertEquals(1, denied.err().strip().lines().count(), denied.err());
        // the same call with an operator certificate of this cluster works (so the refusal above is about the CA)
        Lab.Result allowed = overTcp("h5", operatorCerts(), "node", "ls", "-q");
        assertEquals(0, allowed.code(), allowed.all());
        assertEquals(5, allowed.out().strip().lines().count(), allowed.out());
        Lab.Result leave = lab.cli("h6", "leave", "--force");
        assertEquals(0, leave.code(), leave.all());
    }

    @Test
    @Order(4)
    void aWorkersCertificateAdministersNothingAndAnOperatorsDoes() throws IOException {
        Path worker = certDir("h4", "h1");
        String tokens = lab.cli("h1", "join-token", "-q", "worker").out() + lab.cli("h1", "join-token", "-q", "manager").out();
        String services = lab.cli("h1", "service", "ls", "-q").out();
        List<String[]> refused = List.of(
                new String[] {"service", "create", "--detach", "--name", "intruder", "busybox"},
                new String[] {"join-token", "manager"},
                new String[] {"join-token", "--rotate", "worker"},
                new String[] {"node", "promote", "h4"},
                new String[] {"node", "ls"});
        for (String[] args : refused) {
            Lab.Result r = overTcp("h5", worker, args);
            assertEquals(1, r.code(), String.join(" ", args) + ": " + r.all());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("Error: permission denied: a worker's certificate may not call "), r.err());
        }
        assertEquals(tokens, lab.cli("h1", "join-token", "-q", "worker").out() + lab.cli("h1", "join-token", "-q", "manager").out(),
                "tokens unchanged");
        assertEquals(services, lab.cli("h1", "service", "ls", "-q").out(), "no service made");
        for (JsonNode n : nodes("h1")) {
            if (n.get("Hostname").asText().equals("h4")) {
                assertEquals("", n.get("ManagerStatus").asText(), "h4 was not promoted");
            }
        }
        // an operator certificate does what a manager's socket does (and is refused by a worker's port)
        Path operator = operatorCerts();
        Lab.Result token = overTcp("h5", operator, "join-token", "-q", "worker");
        assertEquals(0, token.code(), token.all());
        assertEquals(lab.cli("h1", "join-token", "-q", "worker").out(), token.out());
        Lab.Result label = overTcp("h5", operator, "node", "update", "--label-add", "by=operator", "h5");
        assertEquals(0, label.code(), label.all());
        assertTrue(lab.cli("h1", "node", "inspect", "h5").out().matches("(?s).*\"by\"\\s*:\\s*\"operator\".*"));
    }

    /** An operator certificate from {@code shoal ca client-cert} on h1, for SHOAL_CERT_PATH. */
    private static Path operatorCerts() throws IOException {
        Path d = Files.createTempDirectory(lab.dir, "operator-");
        Files.delete(d); // client-cert makes it (0700)
        Lab.Result r = lab.cli("h1", "ca", "client-cert", "--out", d.toString(), "--expiry", "1h");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("SHOAL_CERT_PATH=" + d), r.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d.resolve("key.pem"))));
        return d;
    }

    /** {@code shoal --host tcp://<h1>:4242 ARGS} run inside {@code from}'s namespace with the given certificates. */
    private static Lab.Result overTcp(String from, Path certs, String... args) {
        List<String> cmd = new ArrayList<>(List.of("exec", "--name", lab.name, "--dir", lab.dir.toString(), from,
                "env", "SHOAL_CERT_PATH=" + certs, Lab.REPO.resolve("shoal").toString(), "--host", "tcp://" + lab.ip("h1") + ":4242"));
        cmd.addAll(List.of(args));
        return lab.lab(Duration.ofSeconds(60), cmd.toArray(String[]::new));
    }

    /** SHOAL_CERT_PATH for the CLI: the key and certificate of {@code host}, trusting the CA of {@code trustHost}. */
    private static Path certDir(String host, String trustHost) throws IOException {
        Path d = Files.createTempDirectory(lab.dir, "certs-" + host + "-");
        Path src = lab.hostDir(host).resolve("data/certs");
        Files.copy(src.resolve("node.pem"), d.resolve("cert.pem"));
        Files.copy(src.resolve("node-key.pem"), d.resolve("key.pem"));
        Files.copy(lab.hostDir(trustHost).resolve("data/certs/ca.pem"), d.resolve("ca.pem"));
        return d;
    }

    private static String leaderHost() {
        for (JsonNode n : nodes("h2")) {
            if (n.get("ManagerStatus").asText().equals("Leader")) {
                return n.get("Hostname").asText();
            }
        }
        throw new AssertionError("no leader in node ls");
    }

    @Test
    @Order(5)
    void killingTheLeaderElectsAnotherAndItComesBackReachable() {
        String leader = leaderHost();
        Lab.Result kill = lab.host("kill", leader);
        assertEquals(0, kill.code(), kill.all());
        List<String> others = new ArrayList<>(List.of("h1", "h2", "h3"));
        others.remove(leader);
        for (String m : others) {
            Lab.Result ls = lab.awaitCli(m, CONVERGE, r -> r.code() == 0 && r.out().contains("Leader")
                    && !leaderOf(r).equals(leader), "node", "ls", "--format", "json");
            assertNotEquals(leader, leaderOf(ls));
            Lab.Result write = lab.cli(m, "node", "update", "--label-add", "written-through=" + m, "h4");
            assertEquals(0, write.code(), write.all());
        }
        Lab.Result inspect = lab.cli(others.get(0), "node", "inspect", "h4");
        assertEquals(0, inspect.code(), inspect.all());
        for (String m : others) {
            assertTrue(inspect.out().contains("\"written-through\""), inspect.out());
        }
        Lab.Result start = lab.host("start", leader);
        assertEquals(0, start.code(), start.all());
        lab.awaitCli(others.get(0), CONVERGE, r -> managerStatus(r, leader).equals("Reachable"), "node", "ls", "--format", "json");
        lab.awaitCli(others.get(0), CONVERGE, r -> clusterReady(r, 5), "node", "ls", "--format", "json");
    }

    private static String leaderOf(Lab.Result r) {
        return managerHostWith(r, "Leader");
    }

    private static String managerHostWith(Lab.Result r, String status) {
        try {
            for (JsonNode n : JSON.readTree(r.out())) {
                if (n.get("ManagerStatus").asText().equals(status)) {
                    return n.get("Hostname").asText();
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    private static int infoCount(Lab.Result r, String field) {
        try {
            JsonNode n = JSON.readTree(r.out()).findValue(field);
            return n == null ? -1 : n.asInt(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String managerStatus(Lab.Result r, String host) {
        if (r.code() != 0) {
            return "";
        }
        try {
            for (JsonNode n : JSON.readTree(r.out())) {
                if (n.get("Hostname").asText().equals(host)) {
                    return n.get("ManagerStatus").asText();
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    @Test
    @Order(6)
    void promoteAndDemoteChangeTheRaftGroup() {
        Lab.Result promote = lab.cli("h1", "node", "promote", "h4");
        assertEquals(0, promote.code(), promote.all());
        lab.awaitCli("h1", CONVERGE, r -> managerStatus(r, "h4").equals("Reachable"), "node", "ls", "--format", "json");
        // Managers counts the Raft group; ManagersReachable follows once the leader has heard from h4, so
        // wait for both rather than read the second at the moment the first changes.
        lab.awaitCli("h4", CONVERGE, r -> r.code() == 0 && r.out().contains("manager")
                && infoCount(r, "Managers") == 4 && infoCount(r, "ManagersReachable") == 4, "info", "--format", "json");
        Lab.Result write = lab.cli("h4", "node", "update", "--label-add", "promoted=yes", "h5");
        assertEquals(0, write.code(), write.all());

        Lab.Result demote = lab.cli("h2", "node", "demote", "h4");
        assertEquals(0, demote.code(), demote.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && managerStatus(r, "h4").isEmpty() && clusterReady(r, 5),
                "node", "ls", "--format", "json");
        lab.awaitCli("h4", CONVERGE, r -> r.code() == 0 && r.out().contains("\"Role\" : \"worker\""), "info", "--format", "json");
    }

    @Test
    @Order(7)
    void aFullRestartKeepsIdentitiesAndRoles() {
        Map<String, String> before = new HashMap<>();
        for (JsonNode n : nodes("h1")) {
            before.put(n.get("Hostname").asText(), n.get("ID").asText() + "/" + (n.get("ManagerStatus").asText().isEmpty() ? "worker" : "manager"));
        }
        for (String h : List.of("h1", "h2", "h3", "h4", "h5")) {
            Lab.Result stop = lab.host("stop", h);
            assertEquals(0, stop.code(), stop.all());
        }
        for (String h : List.of("h1", "h2", "h3", "h4", "h5")) {
            Lab.Result start = lab.host("start", h);
            assertEquals(0, start.code(), start.all());
        }
        Lab.Result ls = lab.awaitCli("h3", Duration.ofSeconds(60), r -> clusterReady(r, 5), "node", "ls", "--format", "json");
        Map<String, String> after = new HashMap<>();
        for (JsonNode n : json(ls)) {
            after.put(n.get("Hostname").asText(), n.get("ID").asText() + "/" + (n.get("ManagerStatus").asText().isEmpty() ? "worker" : "manager"));
        }
        assertEquals(before, after);
        Lab.Result write = lab.cli("h2", "node", "update", "--label-add", "after-restart=yes", "h5");
        assertEquals(0, write.code(), write.all());
    }
}
