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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code shoal stack} end to end: a web + API + database application written as a compose file,
 * deployed to a lab of one manager and two workers with real containers. Checks the replica counts,
 * the database pinned to the manager, the published port answering through the routing mesh on every
 * node, services reaching each other by their short names, a secret and a config from files read
 * inside the containers (with the secret's mode), a redeploy of the same files replacing no task, a
 * change to one service replacing only its tasks, {@code --prune}, refused files creating nothing,
 * and {@code stack rm} leaving nothing of the stack.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StacksIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static Lab lab;
    private static String image;
    private static Path dir;

    /**
     * A web front, an API on two networks with a config file, and a database only the API's network
     * reaches, pinned to a manager, with its password from a secret file.
     */
    static final String SHOP = """
            version: "3.9"
            x-http: &http
              image: ${IMAGE}
              tmpfs: [/www]
            services:
              web:
                <<: *http
                command: ["sh", "-c", "echo web-$$(hostname) > /www/index.html; exec httpd -f -p 80 -h /www"]
                ports: ["8080:80"]
                networks: [front]
                deploy:
                  replicas: 2
              api:
                <<: *http
                command: ["sh", "-c", "echo api-$${GREETING}-$$(cat /etc/api.conf)-$$(hostname) > /www/index.html; exec httpd -f -p 8000 -h /www"]
                environment:
                  GREETING: ${GREETING:-hello}
                configs:
                  - source: api_conf
                    target: /etc/api.conf
                networks: [front, back]
                deploy:
                  replicas: 2
              db:
                <<: *http
                command: ["sh", "-c", "echo db-ok-$$(cat /run/secrets/db_password)-$$(stat -c %a /run/secrets/db_password) > /www/index.html; exec httpd -f -p 5432 -h /www"]
                secrets:
                  - source: db_password
                    mode: 0400
                networks: [back]
                deploy:
                  placement:
                    constraints: [node.role == manager]
              probe:
                image: ${IMAGE}
                command: ["sh", "-c", "while true; do for to in 'api 8000' 'db 5432'; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $$to | busybox tail -n 1; done; sleep 1; done"]
                networks: [front, back]
                depends_on: [api, db]
            networks:
              front:
              back:
                attachable: true
            secrets:
              db_password:
                file: ./db_password.txt
            configs:
              api_conf:
                file: ./api.conf
            """;
    static final Map<String, String> CONVERGED = Map.of("shop_api", "2/2", "shop_db", "1/1", "shop_probe", "1/1", "shop_web", "2/2");

    @BeforeAll
    static void up() throws IOException {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-stacks");
        lab.close();
        Lab.Result r = lab.up(1, 2, "10.213.14");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
        dir = Files.createTempDirectory("shoal-e2e-stacks");
        Files.writeString(dir.resolve("shop.yml"), SHOP);
        Files.writeString(dir.resolve("db_password.txt"), "s3cret\n");
        Files.writeString(dir.resolve("api.conf"), "v1\n");
    }

    @AfterAll
    static void down() throws IOException {
        if (lab != null) {
            lab.close();
        }
        if (dir != null) {
            Trees.delete(dir);
        }
    }

    /** {@code shoal ARGS} on h1 with the compose variables in the environment. */
    static Lab.Result shoal(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Lab.REPO.resolve("deploy/lab.sh").toString(), "cli", "--name", lab.name,
                "--dir", lab.dir.toString(), "h1"));
        cmd.addAll(List.of(args));
        Map<String, String> e = new TreeMap<>(Map.of("IMAGE", image));
        e.putAll(env);
        return Lab.run(cmd, Duration.ofMinutes(3), e);
    }

    static Lab.Result shoal(String... args) {
        return shoal(Map.of(), args);
    }

    static JsonNode json(Lab.Result r) {
        assertEquals(0, r.code(), r.all());
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError(r.out(), e);
        }
    }

    /** service name -> its REPLICAS column. */
    static Map<String, String> replicas() {
        Map<String, String> out = new TreeMap<>();
        json(shoal("stack", "services", "--format", "json", "shop")).forEach(s -> out.put(s.get("Name").asText(), s.get("Replicas").asText()));
        return out;
    }

    /** Running tasks of the stack: task id -> "service@node". */
    static Map<String, String> running() {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode t : json(shoal("stack", "ps", "--format", "json", "--no-trunc", "shop"))) {
            if (t.get("DesiredState").asText().equals("Running") && t.get("CurrentState").asText().startsWith("Running")) {
                out.put(t.get("ID").asText(), t.get("Name").asText().replaceAll("\\.\\d+$", "") + "@" + t.get("Node").asText());
            }
        }
        return out;
    }

    static long version(String service) {
        return json(shoal("service", "inspect", service)).get(0).get("Version").get("Index").asLong();
    }

    /** Whether the service's update or rollback is still going. */
    static boolean updating(String service) {
        String state = json(shoal("service", "inspect", service)).get(0).path("UpdateStatus").path("State").asText();
        return state.equals("updating") || state.equals("rollback_started");
    }

    static void await(String what, BooleanSupplier ok) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "\n--- h1 log:\n" + lab.log("h1"));
            }
        }
    }

    @Test
    @Order(1)
    void deployCreatesEveryServiceAtItsReplicaCountWithTheDatabaseOnTheManager() {
        Lab.Result r = shoal("stack", "deploy", "-c", dir.resolve("shop.yml").toString(), "shop");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("Ignoring unsupported options: depends_on"), r.err());
        for (String line : List.of("Creating secret shop_db_password", "Creating config shop_api_conf",
                "Creating network shop_front", "Creating network shop_back", "Creating service shop_web",
                "Creating service shop_api", "Creating service shop_db", "Creating service shop_probe")) {
            assertTrue(r.out().contains(line), line + " in:\n" + r.out());
        }
        await("every service at its replica count", () -> replicas().equals(CONVERGED));
        assertEquals(Set.of("shop_db@h1"), Set.copyOf(running().values().stream().filter(v -> v.startsWith("shop_db")).toList()),
                "node.role == manager pins the database to h1");
        Lab.Result ls = shoal("stack", "ls", "--format", "json");
        assertTrue(ls.out().contains("\"Name\" : \"shop\"") && ls.out().contains("\"Services\" : \"4\""), ls.out());
        JsonNode nets = json(shoal("network", "ls", "--format", "json"));
        Set<String> names = new TreeSet<>();
        nets.forEach(n -> names.add(n.get("Name").asText()));
        assertTrue(names.containsAll(Set.of("shop_front", "shop_back")) && !names.contains("shop_default"), names.toString());
    }

    @Test
    @Order(2)
    void thePublishedPortAnswersThroughTheMeshOnEveryNode() {
        for (String node : List.of("h1", "h2", "h3")) {
            String ip = lab.ip(node);
            await("8080 answers on " + node, () -> {
                Lab.Result f = lab.exec("h2", "sh", "-c", "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | timeout 5 busybox nc -w 3 "
                        + ip + " 8080 | tail -n 1");
                return f.out().strip().startsWith("web-");
            });
        }
    }

    @Test
    @Order(3)
    void servicesReachEachOtherByTheirShortNamesAndReadTheirSecretAndConfig() {
        // the API serves its config's content, the database its secret's and the secret file's mode (0400)
        Lab.Result logs = lab.awaitCli("h1", CONVERGE, x -> x.code() == 0 && x.out().contains("| api-hello-v1-")
                && x.out().contains("| db-ok-s3cret-400"), "service", "logs", "shop_probe");
        assertTrue(logs.out().contains("| db-ok-s3cret-400"), logs.out());
    }

    @Test
    @Order(4)
    void redeployingTheSameFilesReplacesNoTask() {
        Map<String, String> before = running();
        Map<String, Long> versions = new TreeMap<>();
        for (String s : CONVERGED.keySet()) {
            versions.put(s, version(s));
        }
        Lab.Result r = shoal("stack", "deploy", "-c", dir.resolve("shop.yml").toString(), "shop");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Updating service shop_web (id: "), r.out());
        assertTrue(!r.out().contains("Creating"), "the secret, config and networks exist: " + r.out());
        for (String s : CONVERGED.keySet()) {
            assertEquals(versions.get(s), version(s), s + " was not written again");
        }
        assertEquals(before, running(), "the same tasks run on");
    }

    @Test
    @Order(5)
    void changingOneServiceReplacesOnlyItsTasks() {
        Map<String, String> before = running();
        long web = version("shop_web");
        // the same file read from standard input (relative paths from the current directory), another greeting for the API
        Lab.Result r = Lab.run(List.of("sh", "-c", "cd \"${3%/*}\" && \"$0\" cli --name \"$1\" --dir \"$2\" h1 stack deploy -c - shop < \"$3\"",
                        Lab.REPO.resolve("deploy/lab.sh").toString(), lab.name, lab.dir.toString(), dir.resolve("shop.yml").toString()),
                Duration.ofMinutes(3), Map.of("IMAGE", image, "GREETING", "bonjour"));
        assertEquals(0, r.code(), r.all());
        lab.awaitCli("h1", CONVERGE, x -> x.code() == 0 && x.out().contains("| api-bonjour-v1-"), "service", "logs", "shop_probe");
        await("the API's tasks replaced", () -> {
            Map<String, String> now = running();
            return now.values().stream().filter(v -> v.startsWith("shop_api")).count() == 2
                    && before.keySet().stream().filter(id -> before.get(id).startsWith("shop_api")).noneMatch(now::containsKey);
        });
        Map<String, String> now = running();
        before.forEach((id, what) -> {
            if (!what.startsWith("shop_api")) {
                assertTrue(now.containsKey(id), what + " (task " + id + ") still runs: " + now);
            }
        });
        assertEquals(web, version("shop_web"), "web was not touched");
    }

    @Test
    @Order(6)
    void refusedFilesCreateNothing() throws IOException {
        Map<String, String> before = replicas();
        Path bad = dir.resolve("bad.yml");
        // a valid service and a network that the next service gets wrong: nothing of it may appear
        Files.writeString(bad, "services:\n  extra:\n    image: ${IMAGE}\n    networks: [extra]\n  broken:\n    image: ${IMAGE}\n"
                + "    deploy: {replicas: lots}\nnetworks:\n  extra:\n");
        Lab.Result r = shoal("stack", "deploy", "-c", bad.toString(), "shop");
        assertEquals(1, r.code(), r.all());
        assertEquals("Error: " + bad + ": services.broken.deploy.replicas: must be an integer, not \"lots\"", r.err().strip());
        Files.writeString(bad, "services:\n  extra:\n    image: ${IMAGE}\n    networks: [outside]\nnetworks:\n  outside:\n    external: true\n");
        Lab.Result ext = shoal("stack", "deploy", "-c", bad.toString(), "other");
        assertEquals(1, ext.code(), ext.all());
        assertTrue(ext.err().contains("network \"outside\" is declared as external, but could not be found"), ext.err());
        Lab.Result missing = shoal("stack", "deploy", "-c", dir.resolve("nope.yml").toString(), "other");
        assertEquals(1, missing.code(), missing.all());
        // a config cannot change: the stack's with another content is refused before anything is written
        Path changed = dir.resolve("changed.yml");
        Files.writeString(changed, SHOP.replace("file: ./api.conf", "content: v2"));
        // the update of the test before ends with a write of its status (after the monitor window):
        // wait for it, so that the versions below change only if the refused deploy wrote
        await("the API's update to end", () -> CONVERGED.keySet().stream().noneMatch(StacksIT::updating));
        Map<String, Long> versions = new TreeMap<>();
        CONVERGED.keySet().forEach(s -> versions.put(s, version(s)));
        Lab.Result conf = shoal(Map.of("GREETING", "bonjour"), "stack", "deploy", "-c", changed.toString(), "shop");
        assertEquals(1, conf.code(), conf.all());
        assertTrue(conf.err().contains("config shop_api_conf exists with another content"), conf.err());
        CONVERGED.keySet().forEach(s -> assertEquals(versions.get(s), version(s), s + " untouched"));
        Files.writeString(bad, "services:\n  extra:\n    image: ${IMAGE}\n    secrets: [key]\nsecrets:\n  key:\n    external: true\n");
        Lab.Result sec = shoal("stack", "deploy", "-c", bad.toString(), "other");
        assertEquals(1, sec.code(), sec.all());
        assertTrue(sec.err().contains("secret \"key\" is declared as external, but could not be found"), sec.err());
        assertEquals(before, replicas());
        assertEquals("", shoal("stack", "ls", "-q").out().replace("shop\n", ""), "no other stack appeared");
        Lab.Result nets = shoal("network", "ls", "--format", "json");
        assertTrue(!nets.out().contains("shop_extra") && !nets.out().contains("other_"), nets.out());
    }

    @Test
    @Order(7)
    void pruneRemovesTheServicesNoLongerInTheFiles() throws IOException {
        Path smaller = dir.resolve("smaller.yml");
        Files.writeString(smaller, SHOP.substring(0, SHOP.indexOf("  probe:")) + SHOP.substring(SHOP.indexOf("networks:\n  front:")));
        Map<String, String> before = running();
        // the greeting the last deploy gave: only the probe's absence differs
        Lab.Result r = shoal(Map.of("GREETING", "bonjour"), "stack", "deploy", "--prune", "-c", smaller.toString(), "shop");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Removing service shop_probe"), r.out());
        await("the probe is gone", () -> !replicas().containsKey("shop_probe"));
        Map<String, String> now = running();
        before.forEach((id, what) -> {
            if (!what.startsWith("shop_probe")) {
                assertTrue(now.containsKey(id), what + " still runs");
            }
        });
    }

    @Test
    @Order(8)
    void stackRmLeavesNothingOfTheStack() {
        Lab.Result r = shoal("stack", "rm", "shop");
        assertEquals(0, r.code(), r.all());
        for (String line : List.of("Removing service shop_web", "Removing secret shop_db_password", "Removing config shop_api_conf",
                "Removing network shop_back")) {
            assertTrue(r.out().contains(line), line + " in:\n" + r.out());
        }
        assertEquals("", shoal("stack", "ls", "-q").out().strip());
        assertEquals("", shoal("secret", "ls", "-q").out().strip());
        assertEquals("", shoal("config", "ls", "-q").out().strip());
        assertEquals("[ ]", shoal("service", "ls", "--format", "json").out().strip());
        Lab.Result nets = shoal("network", "ls", "--format", "json");
        assertTrue(!nets.out().contains("shop_"), nets.out());
        Lab.Result again = shoal("stack", "rm", "shop");
        assertEquals(0, again.code());
        assertEquals("Nothing found in stack: shop", again.err().strip());
        // and no container of it is left on any node
        for (String h : List.of("h1", "h2", "h3")) {
            lab.awaitCli(h, CONVERGE, x -> x.code() == 0, "info");
            await("no container left on " + h, () -> {
                return HostContainers.list(lab.hostDir(h).resolve("data")).isEmpty();
            });
        }
    }
}
