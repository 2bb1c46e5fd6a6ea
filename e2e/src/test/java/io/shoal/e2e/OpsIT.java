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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Day-2 operations on a lab of 3 managers and 2 workers with real containers: docker's listing
 * conventions (filters, Go templates, Docker-shaped inspect, node ps) and {@code shoal events}
 * streamed from each manager while every manager, the leader first, is killed and restarted in
 * turn: each stream must hold every change exactly once, in the order the managers keep them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static Lab lab;
    private static String image;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-ops");
        lab.close();
        Lab.Result r = lab.up(3, 2, "10.213.9");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    static JsonNode json(Lab.Result r) {
        assertEquals(0, r.code(), () -> "command failed: " + r.all());
        try {
            return JSON.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.out(), e);
        }
    }

    static Lab.Result ok(String host, String... args) {
        Lab.Result r = lab.cli(host, args);
        assertEquals(0, r.code(), () -> "shoal " + String.join(" ", args) + " on " + host + ": " + r.all());
        return r;
    }

    static List<String> lines(Lab.Result r) {
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Usage errors: one line on stderr, exit 2, nothing on stdout. */
    static void badUsage(String expect, String... args) {
        Lab.Result r = lab.cli("h1", args);
        assertEquals(2, r.code(), () -> String.join(" ", args) + ": " + r.all());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(expect), r.err());
        assertEquals("", r.out());
    }

    @Test
    @Order(1)
    void listingsTakeDockersFiltersTemplatesAndShapes() {
        ok("h1", "network", "create", "--label", "team=a", "--subnet", "10.77.0.0/24", "appnet");
        ok("h1", "service", "create", "--name", "web", "--replicas", "2", "--network", "appnet", "-p", "8080:80",
                "--label", "tier=front", "--constraint", "node.role==worker", image, "httpd", "-f", "-p", "80");
        ok("h1", "service", "create", "--name", "g", "--mode", "global", "--label", "tier=back", image, "sleep", "100000");
        ok("h1", "node", "update", "--label-add", "zone=b", "h5");

        assertEquals(List.of("g"), lines(ok("h1", "service", "ls", "--filter", "mode=global", "--format", "{{.Name}}")));
        assertEquals(List.of("web"), lines(ok("h2", "service", "ls", "-f", "label=tier=front", "-f", "name=w", "--format", "{{.Name}}")));
        assertEquals(List.of("NAME      MODE", "g         global", "web       replicated"),
                lines(ok("h1", "service", "ls", "--format", "table {{.Name}}\\t{{.Mode}}")));
        String webJson = lines(ok("h1", "service", "ls", "-f", "name=web", "--format", "{{json .}}")).getFirst();
        assertTrue(webJson.startsWith("{\"ID\":\"") && webJson.contains("\"Replicas\":\"2/2\""), webJson);

        assertEquals(List.of("h1", "h2", "h3"), lines(ok("h3", "node", "ls", "-f", "role=manager", "--format", "{{.Hostname}}")));
        assertEquals(List.of("h5"), lines(ok("h1", "node", "ls", "-f", "node.label=zone=b", "--format", "{{.Hostname}}")));
        assertEquals(List.of("h2 true"), lines(ok("h2", "node", "ls", "-f", "name=h2", "--format", "{{.Hostname}} {{.Self}}")));

        // the tasks of two services, filtered by node and desired state; node ps of two nodes and of self
        Set<String> onH5 = new TreeSet<>(lines(ok("h1", "service", "ps", "web", "g", "-f", "node=h5", "-f", "desired-state=running",
                "--format", "{{.Node}} {{.DesiredState}}")));
        assertEquals(Set.of("h5 Running"), onH5);
        List<String> workers = lines(ok("h1", "node", "ps", "h4", "h5", "-f", "desired-state=running", "--format", "{{.Name}} {{.Node}}"));
        assertEquals(4, workers.size(), workers.toString());
        assertTrue(workers.stream().allMatch(l -> l.endsWith(" h4") || l.endsWith(" h5")), workers.toString());
        List<String> self = lines(ok("h2", "node", "ps", "-f", "desired-state=running", "--format", "{{.Node}} {{.Name}}"));
        assertEquals(1, self.size(), self.toString());
        assertTrue(self.getFirst().startsWith("h2 g."), "node ps is the node this daemon runs by default: " + self);
        lab.awaitCli("h1", CONVERGE, x -> x.code() == 0 && x.out().lines().filter(l -> l.startsWith("Running")).count() == 4,
                "node", "ps", "h4", "h5", "-f", "desired-state=running", "--format", "{{.CurrentState}}");

        // Docker's shapes, and templates on them
        JsonNode web = json(ok("h2", "service", "inspect", "web")).get(0);
        assertTrue(web.get("Version").get("Index").isIntegralNumber(), web.toString());
        assertEquals("web", web.at("/Spec/Name").asText());
        assertTrue(web.at("/Spec/TaskTemplate/ContainerSpec/Image").asText().matches(Pattern.quote(image) + "@sha256:[0-9a-f]{64}"),
                "pinned to the registry's digest: " + web);
        assertTrue(web.at("/Spec/Mode/Replicated/Replicas").isIntegralNumber(), "Replicas is a number");
        assertEquals(2, web.at("/Spec/Mode/Replicated/Replicas").asInt());
        assertEquals("front", web.at("/Spec/Labels/tier").asText());
        assertEquals(8080, web.at("/Endpoint/Ports/0/PublishedPort").asInt());
        assertEquals(List.of("2 map[tier:front] vip"), lines(ok("h1", "service", "inspect", "--format",
                "{{.Spec.Mode.Replicated.Replicas}} {{.Spec.Labels}} {{.Spec.EndpointSpec.Mode}}", "web")));
        assertTrue(ok("h1", "service", "inspect", "--pretty", "web").out().contains("Replicas:\t2"));
        assertEquals(List.of("appnet swarm 10.77.0.0/24 a"), lines(ok("h3", "network", "inspect", "--format",
                "{{.Name}} {{.Scope}} {{range .IPAM.Config}}{{.Subnet}}{{end}} {{index .Labels \"team\"}}", "appnet")));
        assertEquals(List.of("h3 manager"), lines(ok("h3", "node", "inspect", "--format", "{{.Description.Hostname}} {{.Spec.Role}}", "self")));
        assertEquals(List.of("h4 worker"), lines(ok("h1", "node", "inspect", "--format", "{{.Description.Hostname}} {{.Spec.Role}}", "h4")));

        // bad input: one line, exit 2, nothing changed or printed
        badUsage("invalid filter 'colour'", "service", "ls", "--filter", "colour=red");
        badUsage("invalid role filter 'boss'", "node", "ls", "--filter", "role=boss");
        badUsage("template: :1: unclosed action", "service", "ls", "--format", "{{.Name");
        badUsage("map has no entry for key \"Nmae\"", "service", "ls", "--format", "{{.Nmae}}");
        badUsage("invalid filter 'colour'", "events", "--filter", "colour=red");
    }

    /** The service events a {@code shoal events --format json} stream printed: one identity per event. */
    static List<String> serviceEvents(String output) {
        List<String> out = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (!line.startsWith("{")) {
                continue;
            }
            try {
                JsonNode e = JSON.readTree(line);
                out.add(e.get("Action").asText() + " " + e.at("/Actor/Attributes/name").asText() + " " + e.get("Actor").get("ID").asText()
                        + " " + e.get("timeNano").asLong());
            } catch (IOException ex) {
                throw new AssertionError("not an event: " + line, ex);
            }
        }
        return out;
    }

    static String leader() {
        for (JsonNode n : json(lab.awaitCli("h1", CONVERGE, x -> x.code() == 0 && x.out().contains("\"Leader\""),
                "node", "ls", "--format", "json"))) {
            if (n.get("ManagerStatus").asText().equals("Leader")) {
                return n.get("Hostname").asText();
            }
        }
        throw new AssertionError("no leader");
    }

    static void create(String on, String name) {
        // a create that timed out in an election may have been committed: then its name is taken
        lab.awaitCli(on, CONVERGE, x -> x.code() == 0 || x.err().contains("already in use"),
                "service", "create", "-d", "--name", name, "--replicas", "0", image, "true");
    }

    @Test
    @Order(2)
    void eventStreamsSurviveEveryManagerGoingAwayWithNothingLostOrRepeated() {
        String since = Instant.now().minusSeconds(1).toString();
        String leader = leader();
        List<String> followers = new ArrayList<>(List.of("h1", "h2", "h3"));
        followers.remove(leader);
        // the leader first: the followers' streams go on through the election; then each follower, whose own
        // stream breaks and resumes from its last event once its daemon is back
        List<String> order = List.of(leader, followers.get(0), followers.get(1));
        List<Lab.Background> streams = new ArrayList<>();
        try {
            for (String m : List.of("h1", "h2", "h3")) {
                // from a moment ago: a stream that connects after ev-start's commit still prints it
                streams.add(lab.background(m, "events", "--since", since, "--format", "json", "--filter", "type=service"));
            }
            create(followers.get(0), "ev-start");
            streams.forEach(st -> awaitPrinted(st, "ev-start"));
            int n = 0;
            for (String m : order) {
                String other = order.stream().filter(x -> !x.equals(m)).findFirst().orElseThrow();
                create(other, "ev-" + n++);
                assertEquals(0, lab.host("kill", m).code());
                create(other, "ev-" + n++);
                assertEquals(0, lab.host("start", m).code(), lab.log(m));
                lab.awaitCli(other, CONVERGE, x -> x.code() == 0 && x.out().contains("\"Hostname\":\"" + m + "\"")
                        && !x.out().contains("Unreachable") && x.out().contains("\"Leader\""),
                        "node", "ls", "-f", "role=manager", "--format", "{{json .}}");
            }
            create(order.getFirst(), "ev-end");
            streams.forEach(st -> awaitPrinted(st, "ev-end"));
            String until = Instant.now().toString();
            List<String> kept = serviceEvents(ok("h1", "events", "--since", since, "--until", until, "--format", "json",
                    "--filter", "type=service").out());
            for (int i = 0; i < 3; i++) {
                List<String> got = serviceEvents(streams.get(i).output());
                String on = "h" + (i + 1);
                assertEquals(new HashSet<>(got).size(), got.size(), "an event printed twice on " + on + ":\n" + String.join("\n", got));
                for (int k = 0; k < n; k++) {
                    String name = "ev-" + k;
                    assertEquals(1, got.stream().filter(e -> e.startsWith("create " + name + " ")).count(),
                            name + " created once in " + on + "'s stream:\n" + String.join("\n", got));
                }
                // exactly what a manager keeps for that span, from the first event the stream printed
                int first = kept.indexOf(got.getFirst());
                assertTrue(first >= 0 && first + got.size() <= kept.size(), on + "'s stream is what h1 keeps:\n"
                        + String.join("\n", got) + "\n--- kept:\n" + String.join("\n", kept));
                assertEquals(kept.subList(first, first + got.size()), got, on + "'s stream holds exactly what h1 keeps");
                assertEquals(kept.getLast(), got.getLast());
            }
        } finally {
            streams.forEach(Lab.Background::close);
        }
    }

    @Test
    @Order(3)
    void theDashboardQueriesOnlyMetersTheDaemonsServe() throws IOException {
        String dashboard = Files.readString(Lab.REPO.resolve("deploy/grafana/shoal-dashboard.json"));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b((?:shoal|ratis|grpc|jvm|process)_[A-Za-z0-9_]+)").matcher(dashboard);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertTrue(names.size() > 20, names.toString());
        StringBuilder scraped = new StringBuilder();
        for (String h : List.of("h1", "h2", "h3", "h4", "h5")) {
            Lab.Result r = lab.exec(h, "curl", "-sf", "http://" + lab.ip(h) + ":9323/metrics");
            assertEquals(0, r.code(), h + ": " + r.all());
            scraped.append('\n').append(r.out());
        }
        List<String> missing = names.stream().filter(n -> !scraped.toString().contains("\n" + n + "{")
                && !scraped.toString().contains("\n" + n + " ")).toList();
        assertEquals(List.of(), missing, "the dashboard queries meters no daemon serves");
    }

    /** The digest the lab's registry gives a reference now, as skopeo reads it from inside h1. */
    private static String registryDigest(String ref) {
        Lab.Result r = lab.exec("h1", "skopeo", "inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + ref);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().strip().matches("sha256:[0-9a-f]{64}"), r.all());
        return r.out().strip();
    }

    /** Points {@code to}'s tag at the image {@code from} names, in the lab's registry (the tag moves). */
    private static void retag(String from, String to) {
        Lab.Result r = lab.exec("h1", "skopeo", "copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false",
                "docker://" + from, "docker://" + to);
        assertEquals(0, r.code(), r.all());
    }

    private static String specImage(String service) {
        return json(ok("h1", "service", "inspect", service)).get(0).at("/Spec/TaskTemplate/ContainerSpec/Image").asText();
    }

    @Test
    @Order(4)
    void aServiceIsPinnedToTheDigestItsTagNamesUntilItsImageIsUpdated() {
        String moving = image.replace(":latest", ":moving");
        String v2 = image.replace(":latest", ":v2");
        retag(image, moving);
        String first = registryDigest(image);
        assertTrue(!first.equals(registryDigest(v2)), "the lab's two images differ");

        ok("h1", "service", "create", "--name", "pinned", "--replicas", "1", moving, "sleep", "100000");
        assertEquals(moving + "@" + first, specImage("pinned"), "created pinned to what the tag named");
        retag(v2, moving); // the tag moves on
        ok("h2", "service", "scale", "pinned=3");
        JsonNode tasks = json(ok("h1", "service", "ps", "pinned", "--format", "json"));
        assertEquals(3, tasks.size(), tasks.toString());
        tasks.forEach(t -> assertEquals(moving + "@" + first, t.path("Image").asText(), "every task runs the pinned image: " + t));
        assertEquals(List.of(moving), lines(ok("h1", "service", "ps", "pinned", "--filter", "desired-state=running",
                "--format", "{{.Image}}")).stream().distinct().toList(), "listings show the tag, as docker's");
        assertEquals(List.of("pinned " + moving), lines(ok("h1", "service", "ls", "-f", "name=pinned", "--format", "{{.Name}} {{.Image}}")));

        ok("h1", "service", "update", "--image", moving, "pinned");
        assertEquals(moving + "@" + registryDigest(v2), specImage("pinned"), "a new --image is pinned to what the tag names now");

        ok("h1", "service", "create", "--name", "unpinned", "--detach", "--no-resolve-image", moving, "sleep", "100000");
        assertEquals(moving, specImage("unpinned"), "--no-resolve-image keeps the tag as written");

        // a registry nobody answers: a one-line warning, and the service is created with the tag as written
        String nowhere = lab.ip("h1") + ":5999/busybox:1";
        Lab.Result r = lab.cli("h1", "service", "create", "--name", "nowhere", "--detach", nowhere, "sleep", "1");
        assertEquals(0, r.code(), r.all());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("warning: image " + nowhere + " could not be accessed on a registry to record its digest"), r.err());
        assertEquals(nowhere, specImage("nowhere"));
        for (String s : List.of("pinned", "unpinned", "nowhere")) {
            ok("h1", "service", "rm", s);
        }
    }

    private static void awaitPrinted(Lab.Background stream, String service) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() < deadline) {
            if (serviceEvents(stream.output()).stream().anyMatch(e -> e.startsWith("create " + service + " "))) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("the stream did not print " + service + "'s creation (alive: " + stream.alive() + "):\n" + stream.output());
    }
}
