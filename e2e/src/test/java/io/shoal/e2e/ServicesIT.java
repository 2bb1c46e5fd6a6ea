package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetNetworkRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListTasksRequest;
import io.shoal.api.Network;
import io.shoal.api.Task;
import io.shoal.api.TaskState;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Services with real containers: a lab of one manager and two workers, Debian's docker-registry
 * holding a busybox image (built with umoci, pushed with skopeo), conmon + runc on every host.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServicesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static Lab lab;
    private static String image;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-services");
        lab.close();
        // VXLAN on another port than the default: the cluster's setting reaches every node's data plane
        Lab.Result r = lab.up(1, 3, "10.213.2", "--data-path-port 4790");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        // h4 starts outside the cluster: it joins later, for a global service to follow it
        assertEquals(0, lab.cli("h4", "leave").code());
        lab.awaitCli("h1", CONVERGE, x -> x.code() == 0, "node", "rm", "--force", "h4");
        image = lab.registry();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    static List<JsonNode> tasks(String service) {
        Lab.Result r = lab.cli("h1", "service", "ps", "--no-trunc", "--format", "json", service);
        assertEquals(0, r.code(), r.all());
        List<JsonNode> out = new ArrayList<>();
        try {
            JSON.readTree(r.out()).forEach(out::add);
        } catch (IOException e) {
            throw new AssertionError(r.out(), e);
        }
        return out;
    }

    static List<JsonNode> running(String service) {
        return tasks(service).stream().filter(t -> t.get("DesiredState").asText().equals("Running")
                && t.get("CurrentState").asText().startsWith("Running")).toList();
    }

    static Path bundle(JsonNode task) {
        return lab.hostDir(task.get("Node").asText()).resolve("data/containers/bundles/shoal-" + task.get("ID").asText());
    }

    @Test
    @Order(1)
    void threeReplicasRunWithTheirMemoryLimitAndOutput() throws IOException {
        Lab.Result create = lab.cli("h1", "service", "create", "--name", "web", "--replicas", "3", "--limit-memory", "48M",
                image, "sh", "-c", "echo hello from $(hostname); sleep 3600");
        assertEquals(0, create.code(), create.all() + "\n" + lab.log("h2"));
        assertTrue(create.out().contains("verify: service converged"), create.out());
        List<JsonNode> run = running("web");
        assertEquals(3, run.size(), run.toString());
        Set<String> nodes = new HashSet<>();
        run.forEach(t -> nodes.add(t.get("Node").asText()));
        assertEquals(Set.of("h1", "h2", "h3"), nodes, "one per node");
        for (JsonNode t : run) {
            String id = "shoal-" + t.get("ID").asText();
            Path v1 = Path.of("/sys/fs/cgroup/memory/shoal", id, "memory.limit_in_bytes");
            Path v2 = Path.of("/sys/fs/cgroup/shoal", id, "memory.max");
            Path limit = Files.exists(v1) ? v1 : v2;
            assertEquals(String.valueOf(48L << 20), Files.readString(limit).trim(), "memory limit of " + id);
            Path log = bundle(t).resolve("ctr.log");
            String text = Files.readString(log);
            assertTrue(text.contains("stdout F hello from"), text);
        }
        // service logs gathers the output from every node, through the managers
        Lab.Result logs = lab.cli("h1", "service", "logs", "web");
        assertEquals(0, logs.code(), logs.all());
        List<String> lines = logs.out().lines().filter(l -> l.contains("| hello from")).toList();
        assertEquals(3, lines.size(), logs.out());
        for (JsonNode t : run) {
            assertTrue(logs.out().contains(t.get("Name").asText() + "." + t.get("ID").asText().substring(0, 12) + "@" + t.get("Node").asText()),
                    "a line from " + t.get("Name") + " on " + t.get("Node") + ":\n" + logs.out());
        }
        Lab.Result ts = lab.cli("h1", "service", "logs", "--timestamps", "--tail", "1", run.get(0).get("ID").asText());
        assertEquals(1, ts.out().lines().count(), ts.out());
        assertTrue(ts.out().matches("(?s)\\d{4}-\\d{2}-\\d{2}T.*\\| hello from.*"), ts.out());
        Lab.Result ls = lab.cli("h1", "service", "ls", "--format", "json");
        assertTrue(ls.out().contains("\"Replicas\" : \"3/3\""), ls.out());
    }

    @Test
    @Order(2)
    void aFailingTaskIsRestartedAsThePolicySaysAndShowsItsExitCode() {
        Lab.Result create = lab.cli("h1", "service", "create", "--name", "fail3", "--restart-condition", "on-failure",
                "--restart-max-attempts", "2", "--restart-delay", "200ms", image, "sh", "-c", "exit 3");
        assertEquals(1, create.code(), create.all());
        assertTrue(create.err().contains("task: non-zero exit (3)"), create.err());
        List<JsonNode> all = tasks("fail3");
        assertEquals(3, all.size(), "one task and two restarts: " + all);
        for (JsonNode t : all) {
            assertTrue(t.get("CurrentState").asText().startsWith("Failed"), t.toString());
            assertEquals("task: non-zero exit (3)", t.get("Error").asText());
        }
    }

    @Test
    @Order(3)
    void badImagesAndUnreachableRegistriesEndRejectedWithTheReason() {
        Lab.Result missing = lab.cli("h1", "service", "create", "--detach", "--name", "missing",
                image.replace("busybox:latest", "nosuch:1"), "true");
        assertEquals(0, missing.code(), missing.all());
        Lab.Result unreachable = lab.cli("h1", "service", "create", "--detach", "--name", "unreachable",
                "10.213.2.99:5000/busybox:latest", "true");
        assertEquals(0, unreachable.code(), unreachable.all());
        lab.awaitCli("h1", CONVERGE, r -> r.out().contains("Rejected") && r.out().contains("not found"),
                "service", "ps", "--no-trunc", "missing");
        lab.awaitCli("h1", CONVERGE, r -> r.out().contains("Rejected") && r.out().contains("cannot reach registry 10.213.2.99:5000"),
                "service", "ps", "--no-trunc", "unreachable");
        assertEquals(0, lab.cli("h1", "service", "rm", "missing", "unreachable").code());
    }

    @Test
    @Order(4)
    void containersOutliveAKilledWorkerDaemonAndTheServiceConvergesAgain() throws Exception {
        JsonNode onH2 = running("web").stream().filter(t -> t.get("Node").asText().equals("h2")).findFirst().orElseThrow();
        long conmon = Long.parseLong(Files.readString(bundle(onH2).resolve("conmon.pid")).trim());
        assertEquals(0, lab.host("kill", "h2").code());
        assertTrue(ProcessHandle.of(conmon).map(ProcessHandle::isAlive).orElse(false),
                "conmon (and the container) must survive the worker daemon");
        assertEquals(0, lab.host("start", "h2").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && runningCount(r) == 3, "service", "ps", "--format", "json", "web");
        // back within the Down grace: the restarted daemon adopted the container, so the same task runs on
        assertTrue(running("web").stream().anyMatch(t -> t.get("ID").asText().equals(onH2.get("ID").asText())),
                "task " + onH2.get("ID").asText() + " is still the one running on h2: " + tasks("web"));
        assertTrue(ProcessHandle.of(conmon).map(ProcessHandle::isAlive).orElse(false), "and its container was not restarted");
        // whatever the managers decided while h2 was away, no task is left running twice
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && staleRunning(r) == 0, "service", "ps", "--format", "json", "web");
    }

    private static long runningCount(Lab.Result r) {
        try {
            long n = 0;
            for (JsonNode t : JSON.readTree(r.out())) {
                n += t.get("DesiredState").asText().equals("Running") && t.get("CurrentState").asText().startsWith("Running") ? 1 : 0;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    private static long staleRunning(Lab.Result r) {
        try {
            long n = 0;
            for (JsonNode t : JSON.readTree(r.out())) {
                n += t.get("DesiredState").asText().equals("Shutdown") && t.get("CurrentState").asText().startsWith("Running") ? 1 : 0;
            }
            return n;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    @Order(5)
    void drainingANodeMovesItsTasksAway() {
        assertEquals(0, lab.cli("h1", "node", "update", "--availability", "drain", "h3").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && runningCount(r) == 3 && staleRunning(r) == 0
                && running("web").stream().noneMatch(t -> t.get("Node").asText().equals("h3")), "service", "ps", "--format", "json", "web");
        assertEquals(0, lab.cli("h1", "node", "update", "--availability", "active", "h3").code());
    }

    @Test
    @Order(6)
    void scalingDownAndRemovingStopTheContainers() {
        Lab.Result scale = lab.cli("h1", "service", "scale", "web=1");
        assertEquals(0, scale.code(), scale.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && runningCount(r) == 1 && staleRunning(r) == 0,
                "service", "ps", "--format", "json", "web");
        assertEquals(0, lab.cli("h1", "service", "rm", "web", "fail3").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().strip().equals("[ ]"), "service", "ls", "--format", "json");
    }

    @Test
    @Order(7)
    void aHealthCheckGatesRunningAndAnUnhealthyContainerIsKilledAndReplaced() {
        // healthy from about 1 s after the start until about 7 s, then unhealthy for good
        Lab.Result create = lab.cli("h1", "service", "create", "--detach", "--name", "checked",
                "--mount", "type=tmpfs,target=/tmp", "--restart-delay", "500ms",
                "--health-cmd", "[ \"$(cat /tmp/state)\" = ok ]", "--health-interval", "300ms", "--health-retries", "2",
                image, "sh", "-c", "sleep 1; echo ok > /tmp/state; sleep 6; echo sick > /tmp/state; sleep 3600");
        assertEquals(0, create.code(), create.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && runningCount(r) == 1, "service", "ps", "--format", "json", "checked");
        Lab.Result failed = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("unhealthy container: 2 health checks failed in a row"),
                "service", "ps", "--no-trunc", "--format", "json", "checked");
        assertTrue(failed.out().contains("\"Failed"), failed.out());
        // the restart policy (any) replaced it with a new task
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && tasksIn(r) >= 2, "service", "ps", "--format", "json", "checked");
        assertEquals(0, lab.cli("h1", "service", "rm", "checked").code());
    }

    private static int tasksIn(Lab.Result r) {
        try {
            return JSON.readTree(r.out()).size();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    @Order(8)
    void aContainerThatExitsWhileItsDaemonIsDownIsReportedWithItsRealExitCode() throws Exception {
        Path signal = Files.createTempDirectory("shoal-e2e-signal");
        try {
            Lab.Result create = lab.cli("h1", "service", "create", "--name", "exiter", "--restart-condition", "none",
                    "--constraint", "node.hostname==h3", "--mount", "type=bind,source=" + signal + ",target=/signal",
                    image, "sh", "-c", "while [ ! -f /signal/go ]; do sleep 0.1; done; exit 7");
            assertEquals(0, create.code(), create.all());
            JsonNode t = running("exiter").getFirst();
            assertEquals(0, lab.host("kill", "h3").code());
            Files.writeString(signal.resolve("go"), "now");
            Path exit = lab.hostDir("h3").resolve("data/containers/exits/shoal-" + t.get("ID").asText());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!(Files.exists(exit) && !Files.readString(exit).isBlank()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("7", Files.readString(exit).trim(), "conmon recorded the exit while the daemon was away");
            assertEquals(0, lab.host("start", "h3").code());
            Lab.Result ps = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("task: non-zero exit (7)"),
                    "service", "ps", "--no-trunc", "--format", "json", "exiter");
            assertTrue(ps.out().contains(t.get("ID").asText()), "the same task ended: " + ps.out());
            assertEquals(0, lab.cli("h1", "service", "rm", "exiter").code());
        } finally {
            Trees.delete(signal);
        }
    }

    static Map<String, Long> perNode(String service) {
        Map<String, Long> m = new TreeMap<>();
        running(service).forEach(t -> m.merge(t.get("Node").asText(), 1L, Long::sum));
        return m;
    }

    @Test
    @Order(10)
    void sixReplicasSpreadTwoPerNodeAndALabelConstraintPinsTasks() {
        Lab.Result spread = lab.cli("h1", "service", "create", "--name", "spread", "--replicas", "6", image, "sleep", "3600");
        assertEquals(0, spread.code(), spread.all());
        assertEquals(Map.of("h1", 2L, "h2", 2L, "h3", 2L), perNode("spread"));
        assertEquals(0, lab.cli("h1", "node", "update", "--label-add", "zone=blue", "h3").code());
        Lab.Result pinned = lab.cli("h1", "service", "create", "--name", "pinned", "--replicas", "3",
                "--constraint", "node.labels.zone==blue", image, "sleep", "3600");
        assertEquals(0, pinned.code(), pinned.all());
        assertEquals(Map.of("h3", 3L), perNode("pinned"));
        assertEquals(0, lab.cli("h1", "service", "rm", "spread", "pinned").code());
    }

    @Test
    @Order(11)
    void anImpossibleReservationStaysPendingWithTheReason() {
        Lab.Result huge = lab.cli("h1", "service", "create", "--detach", "--name", "huge", "--reserve-memory", "4000G",
                image, "sleep", "3600");
        assertEquals(0, huge.code(), huge.all());
        Lab.Result ps = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("insufficient memory on 3 nodes"),
                "service", "ps", "--no-trunc", "huge");
        assertTrue(ps.out().contains("Pending"), ps.out());
        assertEquals(0, lab.cli("h1", "service", "rm", "huge").code());
    }

    @Test
    @Order(12)
    void aGlobalServiceRunsOnEveryActiveNodeAndFollowsJoinsAndDrains() {
        Lab.Result create = lab.cli("h1", "service", "create", "--name", "agent", "--mode", "global", image, "sleep", "3600");
        assertEquals(0, create.code(), create.all());
        assertEquals(Map.of("h1", 1L, "h2", 1L, "h3", 1L), perNode("agent"));
        String token = lab.cli("h1", "join-token", "-q", "worker").out().trim();
        Lab.Result join = lab.cli("h4", "join", "--token", token, lab.ip("h1") + ":4242");
        assertEquals(0, join.code(), join.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && runningCount(r) == 4, "service", "ps", "--format", "json", "agent");
        assertEquals(Map.of("h1", 1L, "h2", 1L, "h3", 1L, "h4", 1L), perNode("agent"));
        assertEquals(0, lab.cli("h1", "node", "update", "--availability", "drain", "h2").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && runningCount(r) == 3 && staleRunning(r) == 0,
                "service", "ps", "--format", "json", "agent");
        assertEquals(Map.of("h1", 1L, "h3", 1L, "h4", 1L), perNode("agent"));
        assertEquals(0, lab.cli("h1", "node", "update", "--availability", "active", "h2").code());
        Lab.Result ls = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("\"Replicas\" : \"4/4\""),
                "service", "ls", "--format", "json");
        assertTrue(ls.out().contains("\"Mode\" : \"global\""), ls.out());
        assertEquals(0, lab.cli("h1", "service", "rm", "agent").code());
    }

    @Test
    @Order(13)
    void jobsRunToCompletion() {
        Lab.Result job = lab.cli("h1", "service", "create", "--name", "batch", "--mode", "replicated-job", "--replicas", "5",
                "--max-concurrent", "2", image, "sh", "-c", "echo working; sleep 1");
        assertEquals(0, job.code(), job.all());
        assertTrue(job.out().contains("verify: job complete"), job.out());
        assertTrue(job.out().contains("overall progress: 5 out of 5 tasks completed"), job.out());
        Lab.Result once = lab.cli("h1", "service", "create", "--name", "once", "--mode", "global-job", image, "true");
        assertEquals(0, once.code(), once.all());
        Lab.Result ls = lab.cli("h1", "service", "ls", "--format", "json");
        assertTrue(ls.out().contains("(5/5 completed)"), ls.out());
        assertTrue(ls.out().contains("(4/4 completed)"), ls.out());
        assertEquals(0, lab.cli("h1", "service", "rm", "batch", "once").code());
    }

    @Test
    @Order(14)
    void theTasksOfANodeThatStaysDownRunElsewhereAndItsStaleOnesStopWhenItReturns() {
        Lab.Result create = lab.cli("h1", "service", "create", "--name", "moving", "--replicas", "4", image, "sleep", "3600");
        assertEquals(0, create.code(), create.all());
        assertEquals(1L, perNode("moving").get("h4"), perNode("moving").toString());
        assertEquals(0, lab.host("kill", "h4").code());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && runningCount(r) == 4
                && running("moving").stream().noneMatch(t -> t.get("Node").asText().equals("h4")),
                "service", "ps", "--format", "json", "moving");
        assertEquals(0, lab.host("start", "h4").code());
        // back, h4 learns its task was replaced and stops the container it kept running meanwhile
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && staleRunning(r) == 0, "service", "ps", "--format", "json", "moving");
        assertEquals(0, lab.cli("h1", "service", "rm", "moving").code());
    }

    private static String taskAddress(String service) {
        ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
        try {
            return ControlGrpc.newBlockingStub(ch).listTasks(ListTasksRequest.newBuilder().setService(service).build())
                    .getTasksList().stream().filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_RUNNING
                            && t.getDesiredState() == TaskState.TASK_STATE_RUNNING)
                    .map(t -> t.getNetworks(0).getAddress().replaceAll("/.*", "")).findFirst().orElseThrow();
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    @Order(15)
    void containersOnAnOverlayNetworkReachEachOtherAcrossHostsAndOtherNetworksCannot() {
        assertEquals(0, lab.cli("h1", "network", "create", "front").code());
        assertEquals(0, lab.cli("h1", "network", "create", "back").code());
        try {
            overlayTraffic();
        } finally {
            lab.cli("h1", "service", "rm", "site", "client", "stranger", "lookup", "spread-client", "after-kill");
        }
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0, "network", "rm", "front", "back");
    }

    private void overlayTraffic() {
        Lab.Result web = lab.cli("h1", "service", "create", "--name", "site", "--replicas", "2", "--network", "front",
                "--constraint", "node.hostname==h2", "--mount", "type=tmpfs,target=/www", image, "sh", "-c",
                "echo hello-over-vxlan from $(hostname) > /www/index.html; httpd -f -p 80 -h /www");
        assertEquals(0, web.code(), web.all() + "\n" + lab.log("h2"));
        String ip = taskAddress("site");
        Lab.Result client = lab.cli("h1", "service", "create", "--name", "client", "--network", "front", "--constraint", "node.hostname==h3",
                image, "sh", "-c", "until printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 2 " + ip + " 80; do sleep 0.5; done; "
                        + "ping -c 1 -W 3 " + ip + " && echo ping-across-hosts-ok; sleep 3600");
        assertEquals(0, client.code(), client.all() + "\n" + lab.log("h3"));
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("hello-over-vxlan") && r.out().contains("ping-across-hosts-ok"),
                "service", "logs", "client");
        // service discovery: the node's resolver on the network's gateway answers the service's VIP
        // and its tasks' addresses
        String vip;
        ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
        try {
            vip = ControlGrpc.newBlockingStub(ch).getService(GetServiceRequest.newBuilder().setService("site").build())
                    .getEndpoint().getVirtualIps(0).getAddress().replaceAll("/.*", "");
        } finally {
            ch.shutdownNow();
        }
        Lab.Result lookup = lab.cli("h1", "service", "create", "--name", "lookup", "--network", "front", "--constraint", "node.hostname==h3",
                image, "sh", "-c", "nslookup site; nslookup tasks.site; sleep 3600");
        assertEquals(0, lookup.code(), lookup.all());
        Lab.Result names = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("Address: " + vip)
                && r.out().contains("Address: " + ip), "service", "logs", "lookup");
        assertTrue(names.out().contains("tasks.site"), names.out());
        // the VIP spreads connections over both tasks (nftables DNAT in the client's namespace)
        List<String> hosts = running("site").stream().map(t -> t.get("ID").asText().substring(0, 12)).toList();
        assertEquals(2, hosts.size());
        Lab.Result spread = lab.cli("h1", "service", "create", "--name", "spread-client", "--network", "front",
                "--constraint", "node.hostname==h3", image, "sh", "-c", "i=0; while [ $i -lt 40 ]; do printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n'"
                        + " | nc -w 2 site 80; i=$((i+1)); done; sleep 3600");
        assertEquals(0, spread.code(), spread.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("from " + hosts.get(0)) && r.out().contains("from " + hosts.get(1)),
                "service", "logs", "spread-client");
        Lab.Result stranger = lab.cli("h1", "service", "create", "--name", "stranger", "--network", "back", "--constraint", "node.hostname==h3",
                image, "sh", "-c", "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + ip + " 80 || echo unreachable-from-back; sleep 3600");
        assertEquals(0, stranger.code(), stranger.all());
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("unreachable-from-back"), "service", "logs", "stranger");
        assertTrue(!lab.cli("h1", "service", "logs", "stranger").out().contains("hello-over-vxlan"));

        // a killed task leaves tasks.site (as h3's resolver answers it) and the VIP's rotation; its
        // replacement joins both
        Network front;
        Task victim;
        ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
        try {
            var control = ControlGrpc.newBlockingStub(ch);
            front = control.getNetwork(GetNetworkRequest.newBuilder().setNetwork("front").build());
            victim = control.listTasks(ListTasksRequest.newBuilder().setService("site").build()).getTasksList().stream()
                    .filter(t -> t.getStatus().getState() == TaskState.TASK_STATE_RUNNING).findFirst().orElseThrow();
        } finally {
            ch.shutdownNow();
        }
        String victimIp = victim.getNetworks(0).getAddress().replaceAll("/.*", "");
        String sandbox;
        try {
            sandbox = Files.readAllLines(lab.hostDir("h3").resolve("data/net/sandboxes")).stream()
                    .filter(x -> x.endsWith(front.getId().substring(0, 12))).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String gw = front.getIpam(0).getGateway();
        Lab.Result vxlan = Lab.run(List.of("ip", "-n", sandbox, "-d", "link", "show", "vxlan0"), Duration.ofSeconds(10));
        assertTrue(vxlan.out().contains("dstport 4790"), "the cluster's data path port: " + vxlan.all());
        assertTrue(Lab.resolve(sandbox, gw, "tasks.site").contains(victimIp));
        Lab.Result kill = HostContainers.kill(lab.hostDir("h2").resolve("data"), "shoal-" + victim.getId(), "KILL");
        assertEquals(0, kill.code(), kill.all());
        await("tasks.site drops the killed task and lists its replacement", () -> {
            Set<String> a = Lab.resolve(sandbox, gw, "tasks.site");
            return !a.contains(victimIp) && a.size() == 2;
        });
        List<String> live = running("site").stream().map(t -> t.get("ID").asText().substring(0, 12)).toList();
        assertEquals(2, live.size());
        assertTrue(!live.contains(victim.getId().substring(0, 12)));
        Lab.Result again = lab.cli("h1", "service", "create", "--name", "after-kill", "--network", "front",
                "--constraint", "node.hostname==h3", image, "sh", "-c", "i=0; while [ $i -lt 30 ]; do printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n'"
                        + " | nc -w 2 site 80; i=$((i+1)); done; echo requests-done; sleep 3600");
        assertEquals(0, again.code(), again.all());
        Lab.Result spreadAgain = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("requests-done"), "service", "logs", "after-kill");
        assertTrue(spreadAgain.out().contains("from " + live.get(0)) && spreadAgain.out().contains("from " + live.get(1))
                && !spreadAgain.out().contains("from " + victim.getId().substring(0, 12)), spreadAgain.out());

        Lab.Result inUse = lab.cli("h1", "network", "rm", "front");
        assertEquals(1, inUse.code(), inUse.all());
        assertTrue(inUse.err().contains("in use by service"), inUse.err());
    }

    /** One HTTP GET of /index.html from inside lab host {@code from} to IP:PORT; the body's last line or "". */
    private static String fetch(String from, String ip, int port) {
        Lab.Result r = lab.exec(from, "sh", "-c", "printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | timeout 5 busybox nc -w 3 "
                + ip + " " + port + " | tail -n 1");
        return r.code() == 0 ? r.out().strip() : "";
    }

    /** The answers of {@code n} requests from {@code from} to IP:PORT. */
    private static Set<String> answers(String from, String ip, int port, int n) {
        Set<String> out = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            out.add(fetch(from, ip, port));
        }
        return out;
    }

    private static void await(String what, BooleanSupplier ok) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what + "\n--- h2 log:\n" + lab.log("h2"));
            }
        }
    }

    @Test
    @Order(16)
    void publishedPortsAnswerOnEveryNodeAndReachOnlyTheirService() {
        // every host's firewall drops forwarded traffic, as Docker leaves a host (iptables' FORWARD
        // policy DROP): the mesh, host-mode ports and the way out must work all the same
        for (String h : List.of("h1", "h2", "h3")) {
            Lab.Result drop = lab.exec(h, "iptables", "-w", "5", "-P", "FORWARD", "DROP");
            assertEquals(0, drop.code(), drop.all());
        }
        try {
            publishedPorts();
        } finally {
            lab.cli("h1", "service", "rm", "mesh", "pinned", "out", "sealed", "both");
            for (String h : List.of("h1", "h2", "h3")) {
                lab.exec(h, "iptables", "-w", "5", "-P", "FORWARD", "ACCEPT");
            }
        }
        lab.awaitCli("h1", CONVERGE, r -> r.code() == 0, "network", "rm", "outnet", "sealednet");
    }

    private void publishedPorts() {
        // two replicas on h2 publish 8080 through the routing mesh
        Lab.Result web = lab.cli("h1", "service", "create", "--name", "mesh", "--replicas", "2", "--publish", "published=8080,target=80",
                "--constraint", "node.hostname==h2", "--mount", "type=tmpfs,target=/www", image, "sh", "-c",
                "echo mesh-from-$(hostname) > /www/index.html; httpd -f -p 80 -h /www");
        assertEquals(0, web.code(), web.all() + "\n" + lab.log("h2"));
        Lab.Result ls = lab.cli("h1", "service", "ls");
        assertTrue(ls.out().contains("*:8080->80/tcp"), ls.out());
        List<String> ids = running("mesh").stream().map(t -> "mesh-from-" + t.get("ID").asText().substring(0, 12)).sorted().toList();
        assertEquals(2, ids.size());
        // it answers on every node's address, including h1 and h3 that run no task of it, from every host
        for (String node : List.of("h1", "h2", "h3")) {
            String ip = lab.ip(node);
            await("8080 answers on " + node, () -> fetch("h3", ip, 8080).startsWith("mesh-from-"));
            assertTrue(fetch("h1", ip, 8080).startsWith("mesh-from-"), "h1 -> " + node);
            assertTrue(fetch("h2", ip, 8080).startsWith("mesh-from-"), "h2 -> " + node);
        }
        // and on 127.0.0.1 of a node
        assertTrue(fetch("h3", "127.0.0.1", 8080).startsWith("mesh-from-"), "h3 -> 127.0.0.1:8080");
        // and spreads connections over both tasks (from a node that runs neither)
        String h3 = lab.ip("h3");
        await("both tasks answer through h3", () -> answers("h1", h3, 8080, 10).containsAll(ids));

        // a port that is taken is refused with one line and nothing changes
        long services = lab.cli("h1", "service", "ls", "-q").out().lines().count();
        Lab.Result clash = lab.cli("h1", "service", "create", "--name", "clash", "-p", "8080:80", image, "sleep", "60");
        assertEquals(1, clash.code(), clash.all());
        assertEquals("Error: publish: port 8080/tcp is already in use by service mesh", clash.err().strip());
        assertEquals(services, lab.cli("h1", "service", "ls", "-q").out().lines().count());

        // a host-mode port answers only on the node that runs the task
        Lab.Result pinned = lab.cli("h1", "service", "create", "--name", "pinned", "--publish", "mode=host,published=9090,target=80",
                "--constraint", "node.hostname==h3", "--mount", "type=tmpfs,target=/www", image, "sh", "-c",
                "echo pinned-from-$(hostname) > /www/index.html; httpd -f -p 80 -h /www");
        assertEquals(0, pinned.code(), pinned.all());
        await("9090 answers on h3", () -> fetch("h1", h3, 9090).startsWith("pinned-from-"));
        assertEquals("", fetch("h3", lab.ip("h2"), 9090), "no host-mode port on h2");
        assertEquals("", fetch("h1", h3, 8081), "an unpublished port does not answer");

        // containers leave through their node (not on an internal network): the registry on h1's address
        assertEquals(0, lab.cli("h1", "network", "create", "outnet").code());
        assertEquals(0, lab.cli("h1", "network", "create", "--internal", "sealednet").code());
        String probe = "printf 'GET /v2/ HTTP/1.0\\r\\n\\r\\n' | nc -w 3 " + lab.ip("h1") + " 5000 | head -n 1; echo probed; sleep 3600";
        assertEquals(0, lab.cli("h1", "service", "create", "--name", "out", "--network", "outnet", "--constraint", "node.hostname==h3",
                image, "sh", "-c", probe).code());
        assertEquals(0, lab.cli("h1", "service", "create", "--name", "sealed", "--network", "sealednet", "--constraint", "node.hostname==h3",
                image, "sh", "-c", probe).code());
        Lab.Result out = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("probed"), "service", "logs", "out");
        assertTrue(out.out().contains("HTTP/1."), out.out());
        Lab.Result sealed = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("probed"), "service", "logs", "sealed");
        assertTrue(!sealed.out().contains("HTTP/1."), "an internal network has no way out: " + sealed.out());

        // a container on two networks resolves the services of both, whichever resolver it asks
        assertEquals(0, lab.cli("h1", "service", "create", "--name", "both", "--network", "outnet", "--network", "sealednet",
                "--constraint", "node.hostname==h3", image, "sh", "-c", "nslookup sealed; nslookup out; echo looked; sleep 3600").code());
        Lab.Result both = lab.awaitCli("h1", CONVERGE, r -> r.code() == 0 && r.out().contains("looked"), "service", "logs", "both");
        assertTrue(!both.out().contains("can't find") && both.out().split("Name:").length == 3, both.out());

        // scaling the service changes the mesh: one task left answers everything
        assertEquals(0, lab.cli("h1", "service", "scale", "mesh=1").code());
        await("one task answers", () -> {
            List<String> left = running("mesh").stream().map(t -> "mesh-from-" + t.get("ID").asText().substring(0, 12)).toList();
            return left.size() == 1 && answers("h1", h3, 8080, 6).equals(Set.copyOf(left));
        });

        // a worker daemon restart keeps its containers and cross-host traffic: h1 -> h3's mesh -> VXLAN -> h2
        String before = running("mesh").getFirst().get("ID").asText();
        assertEquals(0, lab.host("restart", "h2").code());
        await("the mesh answers after h2's daemon restarted", () -> fetch("h1", h3, 8080).equals("mesh-from-" + before.substring(0, 12)));
        assertEquals(before, running("mesh").getFirst().get("ID").asText(), "the same task runs on");
    }

    @Test
    @Order(20)
    void imagesNoContainerUsesArePruned() {
        Lab.Result ls = lab.cli("h2", "image", "ls", "--format", "json");
        assertEquals(0, ls.code(), ls.all());
        assertTrue(ls.out().contains("busybox:latest"), ls.out());
        // the services are gone; once their containers are removed nothing holds the image
        Lab.Result prune = lab.awaitCli("h2", CONVERGE, r -> r.code() == 0 && r.out().contains("deleted: "), "image", "prune");
        assertTrue(prune.out().contains("Total reclaimed space: "), prune.out());
        Lab.Result after = lab.cli("h2", "image", "ls", "-q");
        assertEquals("", after.out().strip(), after.all());
        Lab.Result pull = lab.cli("h2", "image", "pull", image);
        assertEquals(0, pull.code(), pull.all());
        Lab.Result listed = lab.cli("h2", "image", "ls");
        assertTrue(listed.out().startsWith("REFERENCE") && listed.out().contains("busybox:latest"), listed.all());
        Lab.Result bad = lab.cli("h2", "image", "pull", "not a reference");
        assertEquals(1, bad.code(), bad.all());
        assertTrue(bad.err().contains("invalid image reference"), bad.err());
    }
}
