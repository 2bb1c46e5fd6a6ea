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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rolling upgrade (docs/operations.md, "Upgrades"): a lab cluster of the previous release,
 * 3 managers (h1-h3) and 2 workers (h4, h5), runs a service of 5 replicas (one per node) whose
 * port 8080 is published through the routing mesh. Its nodes are upgraded one at a time to the
 * current build, workers first, then the managers: each daemon is stopped (its containers run on)
 * and the current build's daemon started on the same data dir. After each node: it is Ready and
 * reports the new engine version, the others still report theirs, a manager sees a leader and
 * every manager reachable, and a write (a service update) goes through. All the while a probe on
 * h5 asks 8080 of every node's address in turn; every answer must come from the service. At the
 * end the same containers run (same ids, same processes) and a new service runs. Then the previous
 * release's own client drives the upgraded cluster: operators upgrade the daemons before the
 * clients on their laptops and scripts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpgradeIT {
    /**
     * The previous release: main as of 2026-12-02, before the node was split out of the CLI and
     * secrets and configs, rolling updates, engine versions and store formats were added to the
     * Raft log (13 changes of the .proto files since). No tags exist, and a rule such as "N commits
     * back" would move with every commit: a fixed commit keeps what is tested stable.
     * -Dshoal.upgrade.from=REF tests another (e.g. the commit before a change).
     */
    static final String PREVIOUS = "23144547a310ea969b420ca67410a323afefe82e";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(90);
    /** workers first, then the managers one at a time (h1, which made the cluster and usually leads, last) */
    private static final List<String> ORDER = List.of("h4", "h5", "h2", "h3", "h1");
    private static final List<String> MANAGERS = List.of("h1", "h2", "h3");
    private static PreviousRelease previous;
    private static Lab lab;
    private static String image;
    private static String newVersion;

    @BeforeAll
    static void up() throws IOException {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        previous = PreviousRelease.build(System.getProperty("shoal.upgrade.from", PREVIOUS));
        lab = new Lab("shoal-e2e-upgrade", previous.launcher());
        lab.close();
        // a long Down grace: a restarting manager is back within seconds, but on a loaded machine
        // the restart must never race the default 5 s and move the tasks this test watches
        Lab.Result r = lab.up(3, 2, "10.213.53", "--node-down-grace 60s");
        assertEquals(0, r.code(), "lab up (previous release " + previous.commit + ") failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
        // the client's part: a daemon of a release without the version call makes the command exit 1 after it
        Lab.Result version = lab.cli("h1", "version", "--format", "json");
        newVersion = JSON.readTree(version.out()).path("Client").path("Version").asText();
        assertTrue(!newVersion.isEmpty(), "the current build's version: " + version.all());
    }

    @AfterAll
    static void down() throws IOException {
        try {
            if (lab != null) {
                lab.close();
            }
        } finally {
            if (previous != null) {
                previous.close();
            }
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

    /** hostname -> engine version, of the nodes {@code node ls} lists Ready (asked of HOST). */
    private static Map<String, String> readyEngines(String host) {
        return readyEngines(lab.cli(host, "node", "ls", "--format", "json"));
    }

    /** hostname -> engine version, of the nodes a {@code node ls --format json} lists Ready. */
    private static Map<String, String> readyEngines(Lab.Result nodeLs) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode n : json(nodeLs)) {
            if (n.path("Status").asText().equals("Ready")) {
                out.put(n.path("Hostname").asText(), n.path("EngineVersion").asText());
            }
        }
        return out;
    }

    /**
     * The running containers of every host's daemon: container id -> its process id. The previous
     * release's containers are runc's, those the new build makes crun's where crun is installed.
     */
    private static Map<String, Long> containers() {
        Map<String, Long> out = new TreeMap<>();
        for (String h : List.of("h1", "h2", "h3", "h4", "h5")) {
            HostContainers.running(lab.hostDir(h).resolve("data")).forEach((id, pid) -> out.put(h + "/" + id, pid));
        }
        return out;
    }

    /** What HOST's daemon runs: the command line of its process. */
    private static String daemonCommandLine(String host) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(lab.daemonPid(host)), "cmdline"));
        return new String(raw).replace('\0', ' ');
    }

    private static void await(String what, BooleanSupplier ok) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }

    /** The service's answer to a request from FROM to IP:8080 ("" when none came). */
    private static String fetch(String from, String ip) {
        Lab.Result r = lab.exec(from, "sh", "-c", "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | timeout 5 busybox nc -w 3 "
                + ip + " 8080 | tail -n 1");
        return r.code() == 0 ? r.out().strip() : "";
    }

    /**
     * Asks 8080 of every node's address in turn from h5 until stopped, and records each request
     * that got no answer from the service. h5's network namespace, where the requests start,
     * outlives its daemon's restart as every host's does.
     */
    private static final class Probe implements AutoCloseable {
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger requests = new AtomicInteger();
        private final Thread thread;
        private volatile String phase = "before the upgrade";
        private volatile boolean stop;

        Probe(List<String> addresses) {
            thread = new Thread(() -> {
                for (int i = 0; !stop; i++) {
                    String ip = addresses.get(i % addresses.size());
                    String seenIn = phase;
                    String answer = fetch("h5", ip);
                    requests.incrementAndGet();
                    if (!answer.startsWith("web-from-")) {
                        failures.add(seenIn + ": " + ip + ":8080 answered '" + answer + "'");
                    }
                }
            }, "upgrade-probe");
            thread.start();
        }

        void phase(String what) {
            phase = what;
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops HOST's daemon of the previous release and starts the current build's on the same data;
     * waits until it serves. Returns how long each step took, for the figures.
     */
    private static String upgrade(String host) throws IOException {
        Steps steps = new Steps();
        Lab.Result stop = lab.host("stop", host);
        assertEquals(0, stop.code(), stop.all());
        steps.done("stop" + (stop.err().isBlank() ? "" : " (" + stop.err().strip() + ")"));
        Lab.Result start = lab.host("start", host, Lab.REPO.resolve("shoal"));
        assertEquals(0, start.code(), start.all() + "\n" + lab.log(host));
        assertTrue(daemonCommandLine(host).contains(Lab.REPO.resolve("cli/target").toString()), "the current build runs on " + host);
        steps.done("start to its socket");
        // Ready, with the new engine version (reported by the new daemon's session), as every manager sees it
        for (String m : MANAGERS) {
            lab.awaitCli(m, CONVERGE, r -> r.code() == 0 && newVersion.equals(readyEngines(r).get(host)), "node", "ls", "--format", "json");
        }
        steps.done("Ready on every manager");
        if (MANAGERS.contains(host)) {
            // a leader, and every manager reachable, as the upgraded manager sees the cluster
            lab.awaitCli(host, CONVERGE, r -> {
                if (r.code() != 0) {
                    return false;
                }
                JsonNode i = json(r);
                return !i.path("Leader").asText().isEmpty() && i.path("Managers").asInt() == 3 && i.path("ManagersReachable").asInt() == 3;
            }, "info", "--format", "json");
            steps.done("a leader, 3 reachable");
            // and a write goes through it
            Lab.Result write = lab.cli(host, "service", "update", "--label-add", "upgraded-" + host + "=yes", "web");
            assertEquals(0, write.code(), write.all() + "\n" + lab.log(host));
            JsonNode spec = json(lab.cli("h1", "service", "inspect", "web")).get(0);
            assertEquals("yes", spec.path("Spec").path("Labels").path("upgraded-" + host).asText(), spec.toString());
            steps.done("a service update");
        }
        return steps.toString();
    }

    /** The times of an upgrade's steps, each from the end of the one before. */
    private static final class Steps {
        private final StringBuilder text = new StringBuilder();
        private long last = System.nanoTime();
        private long total;

        void done(String step) {
            long now = System.nanoTime();
            long ms = (now - last) / 1_000_000;
            total += ms;
            last = now;
            text.append(text.isEmpty() ? "" : ", ").append(step).append(' ').append(ms).append(" ms");
        }

        @Override
        public String toString() {
            return total + " ms (" + text + ")";
        }
    }

    @Test
    @Order(1)
    void aClusterOfThePreviousReleaseIsUpgradedNodeByNodeWhileItsServiceAnswers() throws IOException {
        for (String h : List.of("h1", "h2", "h3", "h4", "h5")) {
            assertTrue(daemonCommandLine(h).contains(previous.tree.toString()), "the previous release runs on " + h);
        }
        Lab.Result web = lab.cli("h1", "service", "create", "--name", "web", "--replicas", "5", "--publish", "published=8080,target=80",
                "--mount", "type=tmpfs,target=/www", image, "sh", "-c", "echo web-from-$(hostname) > /www/index.html; httpd -f -p 80 -h /www");
        assertEquals(0, web.code(), web.all() + "\n" + lab.log("h1"));
        List<String> addresses = List.of("h1", "h2", "h3", "h4", "h5").stream().map(lab::ip).toList();
        for (String ip : addresses) {
            await(ip + ":8080 answers", () -> fetch("h4", ip).startsWith("web-from-"));
        }
        Map<String, Long> running = containers();
        assertEquals(5, running.size(), "one task per node: " + running);
        Map<String, String> engines = readyEngines("h1");
        assertEquals(5, engines.size(), "every node Ready: " + engines);

        long start = System.nanoTime();
        int requests;
        List<String> failures;
        try (Probe probe = new Probe(addresses)) {
            for (String h : ORDER) {
                probe.phase("upgrading " + h);
                String took = upgrade(h);
                engines.put(h, newVersion);
                // awaited, not read once: a leader of the previous release may judge a worker whose
                // new session opened on a follower by its old session's last heartbeat, and list it
                // Down until the follower's next report (this build's leader hears of the new
                // session before its Ready is written: DispatcherTest)
                Map<String, String> expected = Map.copyOf(engines);
                lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && expected.equals(readyEngines(r)), "node", "ls", "--format", "json");
                assertEquals(running, containers(), "after " + h + ": the same containers run on, untouched");
                System.out.printf("UpgradeIT: %s upgraded in %s%n", h, took);
            }
            probe.phase("after the upgrade");
            // a few more rounds over the upgraded cluster
            int after = probe.requests.get() + 2 * addresses.size();
            await("the probe's last rounds", () -> probe.requests.get() >= after);
            requests = probe.requests.get();
            failures = List.copyOf(probe.failures);
        }
        System.out.printf("UpgradeIT: 5 nodes upgraded in %d s; %d requests to 8080, %d unanswered%n",
                (System.nanoTime() - start) / 1_000_000_000, requests, failures.size());
        assertEquals(List.of(), failures, "every request was answered by the service throughout");
        assertTrue(requests >= 2 * ORDER.size(), "the probe ran throughout: " + requests + " requests");

        Map<String, String> last = readyEngines("h2");
        assertEquals(5, last.size(), last.toString());
        last.forEach((h, v) -> assertEquals(newVersion, v, "ENGINE VERSION of " + h));
        assertEquals(running, containers(), "the same containers run on");
        Lab.Result after = lab.cli("h3", "service", "create", "--name", "after", "--replicas", "2", image, "sleep", "3600");
        assertEquals(0, after.code(), after.all());
        assertTrue(after.out().contains("verify: service converged"), after.out());
    }

    /** The Replicas of the service NAME in a {@code service ls --format json}, "" if it is not listed. */
    private static String replicas(Lab.Result serviceLs, String name) {
        for (JsonNode s : json(serviceLs)) {
            if (s.path("Name").asText().equals(name)) {
                return s.path("Replicas").asText();
            }
        }
        return "";
    }

    @Test
    @Order(2)
    void thePreviousReleasesClientDrivesTheUpgradedCluster() {
        Map<String, String> engines = readyEngines("h1");
        assertEquals(5, engines.size(), "every node Ready: " + engines);
        engines.forEach((h, v) -> assertEquals(newVersion, v, "the cluster is upgraded first: " + h));
        Path old = previous.launcher();

        Lab.Result nodes = lab.cli(old, "h2", "node", "ls", "--format", "json");
        assertEquals(0, nodes.code(), "old client's node ls: " + nodes.all());
        assertEquals(engines.keySet(), readyEngines(nodes).keySet(), "the old client lists every node Ready");
        Lab.Result ls = lab.cli(old, "h3", "service", "ls");
        assertEquals(0, ls.code(), "old client's service ls: " + ls.all());
        assertTrue(ls.out().contains("web") && ls.out().contains("5/5"), ls.out());
        Lab.Result ps = lab.cli(old, "h1", "service", "ps", "web");
        assertEquals(0, ps.code(), "old client's service ps: " + ps.all());
        assertTrue(ps.out().contains("Running"), ps.out());

        Lab.Result create = lab.cli(old, "h2", "service", "create", "--name", "old-client", "--replicas", "2", image, "sleep", "3600");
        assertEquals(0, create.code(), "old client's service create: " + create.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && "2/2".equals(replicas(r, "old-client")), "service", "ls", "--format", "json");
        Lab.Result scale = lab.cli(old, "h3", "service", "scale", "old-client=3");
        assertEquals(0, scale.code(), "old client's service scale: " + scale.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && "3/3".equals(replicas(r, "old-client")), "service", "ls", "--format", "json");
        Lab.Result rm = lab.cli(old, "h1", "service", "rm", "old-client");
        assertEquals(0, rm.code(), "old client's service rm: " + rm.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && replicas(r, "old-client").isEmpty(), "service", "ls", "--format", "json");

        Lab.Result bad = lab.cli(old, "h1", "service", "scale", "no-such-service=2");
        assertTrue(bad.code() != 0, "the old client still gets a refusal: " + bad.all());
        assertEquals(1, bad.err().strip().lines().count(), "one line: " + bad.err());
    }
}
