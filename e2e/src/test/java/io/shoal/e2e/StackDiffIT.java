package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.shoal.api.Annotations;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListConfigsRequest;
import io.shoal.api.ListNetworksRequest;
import io.shoal.api.ListSecretsRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.Network;
import io.shoal.api.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docker as the oracle: the same compose files deployed to a one-node Docker swarm (Debian's
 * docker.io 20.10, in a namespace of its own: {@link DockerEngine}) and to a one-node Shoal cluster,
 * compared by what a user observes: the services with their modes, replicas, ports, networks,
 * environment, labels, constraints and the rest of their specs ({@link ServiceView}), the networks
 * made, the keys each says it ignores, the replicas running, and which files each refuses. Every
 * difference that is intended is asserted as such here and listed in docs/stacks.md. CI deploys
 * one application; {@code -Dshoal.full=true} adds the rest of the set.
 */
class StackDiffIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    /** Keys Shoal reports as ignored that Docker passes over in silence (docs/stacks.md). */
    private static final List<String> SHOAL_ONLY_NOTICES = List.of("depends_on");
    private static Lab lab;
    private static DockerEngine docker;
    private static String image;
    private static Path dir;

    @BeforeAll
    static void up() throws IOException {
        Assumptions.assumeTrue(DockerEngine.available(), "needs root, ip netns and docker.io (deploy/install-deps.sh)");
        lab = new Lab("shoal-e2e-stackdiff");
        lab.close();
        Lab.Result r = lab.up(1, 0, "10.213.15");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
        docker = new DockerEngine("shoal-e2e-dockerref", "10.213.215.2/24");
        docker.swarmInit();
        docker.load(lab.dir.resolve("registry/oci"), "busybox", image);
        dir = Files.createTempDirectory("shoal-e2e-stackdiff");
    }

    @AfterAll
    static void down() throws IOException {
        if (docker != null) {
            docker.close();
        }
        if (lab != null) {
            lab.close();
        }
        if (dir != null) {
            try (var s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static Path resource(String name) throws IOException {
        return file(name, Files.readString(Lab.REPO.resolve("e2e/src/test/resources/stacks").resolve(name)));
    }

    static Lab.Result shoal(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Lab.REPO.resolve("deploy/lab.sh").toString(), "cli", "--name", lab.name,
                "--dir", lab.dir.toString(), "h1"));
        cmd.addAll(List.of(args));
        return Lab.run(cmd, Duration.ofMinutes(3), Map.of("IMAGE", image));
    }

    static Lab.Result dockerStack(String... args) {
        return docker.docker(Map.of("IMAGE", image), args);
    }

    /** The "Ignoring ..." lines an engine printed, minus what only Shoal reports. */
    private static List<String> notices(String stderr, boolean shoal) {
        List<String> out = new ArrayList<>();
        for (String line : stderr.lines().toList()) {
            if (line.startsWith("Ignoring unsupported options: ")) {
                List<String> keys = new ArrayList<>(List.of(line.substring(30).split(", ")));
                if (shoal) {
                    keys.removeAll(SHOAL_ONLY_NOTICES);
                }
                out.add("unsupported: " + keys);
            } else if (line.startsWith("Ignoring deprecated options")) {
                out.add("deprecated");
            }
        }
        return out;
    }

    private static Map<String, Map<String, Object>> dockerServices(String stack) throws IOException {
        Map<String, String> netNames = new HashMap<>();
        for (String l : docker.docker("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}").out().lines().toList()) {
            String[] p = l.split(" ", 2);
            netNames.put(p[0], p[1]);
        }
        Map<String, Map<String, Object>> out = new TreeMap<>();
        List<String> ids = docker.docker("service", "ls", "-q", "--filter", "label=com.docker.stack.namespace=" + stack).out().lines().toList();
        if (ids.isEmpty()) {
            return out;
        }
        List<String> args = new ArrayList<>(List.of("service", "inspect"));
        args.addAll(ids);
        for (JsonNode s : JSON.readTree(docker.docker(args.toArray(String[]::new)).out())) {
            Map<String, Object> v = ServiceView.docker(s.path("Spec"), id -> netNames.getOrDefault(id, id));
            out.put((String) v.get("name"), v);
        }
        return out;
    }

    private static Map<String, Map<String, Object>> shoalServices(String stack) {
        ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
        try {
            var control = ControlGrpc.newBlockingStub(ch);
            Map<String, String> netNames = new HashMap<>();
            for (Network n : control.listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList()) {
                netNames.put(n.getId(), n.getSpec().getAnnotations().getName());
            }
            Map<String, Map<String, Object>> out = new TreeMap<>();
            for (Service s : control.listServices(ListServicesRequest.getDefaultInstance()).getServicesList()) {
                if (stack.equals(s.getSpec().getAnnotations().getLabelsMap().get("com.docker.stack.namespace"))) {
                    out.put(s.getSpec().getAnnotations().getName(), ServiceView.shoal(s.getSpec(), id -> netNames.getOrDefault(id, id)));
                }
            }
            return out;
        } finally {
            ch.shutdownNow();
        }
    }

    /** The stack's networks, secrets and configs on Docker: "network NAME" -> labels. */
    private static Map<String, String> dockerObjects(String stack) {
        Map<String, String> out = new TreeMap<>();
        for (String kind : List.of("network", "secret", "config")) {
            docker.docker(kind, "ls", "--filter", "label=com.docker.stack.namespace=" + stack, "--format", "{{.Name}} {{.Labels}}")
                    .out().lines().forEach(l -> out.put(kind + " " + l.split(" ", 2)[0],
                            String.join(",", new TreeSet<>(List.of(l.split(" ", 2)[1].split(","))))));
        }
        return out;
    }

    /** The same on Shoal. */
    private static Map<String, String> shoalObjects(String stack) {
        ManagedChannel ch = FailoverBench.unix(lab.hostDir("h1").resolve("shoal.sock"));
        try {
            var control = ControlGrpc.newBlockingStub(ch);
            Map<String, String> out = new TreeMap<>();
            control.listNetworks(ListNetworksRequest.getDefaultInstance()).getNetworksList()
                    .forEach(n -> labelled(out, "network", n.getSpec().getAnnotations(), stack));
            control.listSecrets(ListSecretsRequest.getDefaultInstance()).getSecretsList()
                    .forEach(n -> labelled(out, "secret", n.getSpec().getAnnotations(), stack));
            control.listConfigs(ListConfigsRequest.getDefaultInstance()).getConfigsList()
                    .forEach(n -> labelled(out, "config", n.getSpec().getAnnotations(), stack));
            return out;
        } finally {
            ch.shutdownNow();
        }
    }

    private static void labelled(Map<String, String> out, String kind, Annotations a, String stack) {
        if (stack.equals(a.getLabelsMap().get("com.docker.stack.namespace"))) {
            List<String> kv = new ArrayList<>();
            new TreeMap<>(a.getLabelsMap()).forEach((k, v) -> kv.add(k + "=" + v));
            out.put(kind + " " + a.getName(), String.join(",", kv));
        }
    }

    /** service -> "running/desired", from each engine's `stack services`. */
    private static Map<String, String> dockerReplicas(String stack) {
        Map<String, String> out = new TreeMap<>();
        docker.docker("stack", "services", stack, "--format", "{{.Name}} {{.Replicas}}").out().lines()
                .forEach(l -> out.put(l.split(" ")[0], l.split(" ", 2)[1]));
        return out;
    }

    private static Map<String, String> shoalReplicas(String stack) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Lab.Result r = shoal("stack", "services", "--format", "json", stack);
        if (r.code() == 0 && r.out().startsWith("[")) {
            JSON.readTree(r.out()).forEach(s -> out.put(s.get("Name").asText(), s.get("Replicas").asText()));
        }
        return out;
    }

    private static boolean converged(Map<String, String> replicas) {
        return !replicas.isEmpty() && replicas.values().stream().allMatch(x -> {
            String[] p = x.split(" ")[0].split("/");
            return p[0].equals(p[1]);
        });
    }

    private static void await(String what, BooleanSupplier ok) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
        }
    }

    /** Deploys {@code f} as {@code stack} to both engines and asserts they hold the same. */
    private static void sameOnBoth(Path f, String stack) throws IOException {
        Lab.Result d = dockerStack("stack", "deploy", "--resolve-image", "never", "-c", f.toString(), stack);
        assertEquals(0, d.code(), "docker: " + d.all());
        Lab.Result s = shoal("stack", "deploy", "--resolve-image", "never", "-c", f.toString(), stack);
        assertEquals(0, s.code(), "shoal: " + s.all());
        assertEquals(notices(d.err(), false), notices(s.err(), true), "the keys each engine says it ignores");
        Map<String, Map<String, Object>> ds = dockerServices(stack);
        Map<String, Map<String, Object>> ss = shoalServices(stack);
        assertEquals(ds.keySet(), ss.keySet(), "the services");
        for (String name : ds.keySet()) {
            for (String field : ds.get(name).keySet()) {
                assertEquals(ds.get(name).get(field), ss.get(name).get(field), name + "." + field + " (Docker, then Shoal)");
            }
        }
        assertEquals(dockerObjects(stack), shoalObjects(stack), "the networks, secrets and configs the stack made, with their labels");
        await(stack + " converged on Docker", () -> converged(dockerReplicas(stack)));
        await(stack + " converged on Shoal", () -> {
            try {
                return converged(shoalReplicas(stack));
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals(dockerReplicas(stack), shoalReplicas(stack), "the replicas running");
    }

    @Test
    void anApplicationDeploysAlikeOnDockerAndShoal() throws IOException {
        file("app_token.txt", "t0ken\n");
        file("app_conf.txt", "listen 80\n");
        sameOnBoth(resource("app.yml"), "app");
        if (Boolean.getBoolean("shoal.full")) {
            sameOnBoth(resource("init.yml"), "initapp");
        }
    }

    @Test
    void theFilesDockerRefusesShoalRefusesAndCreatesNothing() throws IOException {
        Map<String, String> bad = new TreeMap<>(Map.of(
                "port", "services:\n  web:\n    image: ${IMAGE}\n    ports: ['80:abc']\n",
                "deploykey", "services:\n  web:\n    image: ${IMAGE}\n    deploy: {replica: 2}\n",
                "network", "services:\n  web:\n    image: ${IMAGE}\n    networks: [nowhere]\n",
                "global", "services:\n  web:\n    image: ${IMAGE}\n    deploy: {mode: global, replicas: 2}\n",
                "forbidden", "services:\n  web:\n    image: ${IMAGE}\n    mem_limit: 1g\n",
                "type", "services:\n  web:\n    image: ${IMAGE}\n    environment: 5\n",
                "syntax", "services:\n  web:\n    image: [${IMAGE}\n",
                "required", "services:\n  web:\n    image: ${IMAGE}:${NO_SUCH_TAG:?set it}\n",
                "volume", "services:\n  web:\n    image: ${IMAGE}\n    volumes: ['data:/data']\n"));
        if (Boolean.getBoolean("shoal.full")) {
            bad.put("secret", "services:\n  web:\n    image: ${IMAGE}\n    secrets: [pw]\n");
            bad.put("mode", "services:\n  web:\n    image: ${IMAGE}\n    deploy: {mode: daemon}\n");
            bad.put("duration", "services:\n  web:\n    image: ${IMAGE}\n    stop_grace_period: 10 seconds\n");
        }
        for (Map.Entry<String, String> e : bad.entrySet()) {
            Path f = file("bad-" + e.getKey() + ".yml", "version: '3.9'\n" + e.getValue());
            String stack = "bad" + e.getKey();
            Lab.Result d = dockerStack("stack", "deploy", "--resolve-image", "never", "-c", f.toString(), stack);
            assertNotEquals(0, d.code(), e.getKey() + ": Docker refuses it: " + d.all());
            Lab.Result s = shoal("stack", "deploy", "-c", f.toString(), stack);
            assertEquals(1, s.code(), e.getKey() + ": Shoal refuses it: " + s.all());
            assertEquals(1, s.err().lines().filter(l -> l.startsWith("Error: ")).count(), s.err());
            assertTrue(s.err().contains(f.toString()), e.getKey() + ": the message names the file: " + s.err());
            assertEquals(Map.of(), shoalServices(stack), e.getKey() + ": no service");
            assertEquals(Map.of(), shoalObjects(stack), e.getKey() + ": no network, secret or config");
        }
    }

    @Test
    void theIntendedDifferencesAreThoseTheDocsList() throws IOException {
        // no version key: Docker 20.10 reads it as version 1.0 and refuses; the compose specification ignores version
        Path noVersion = file("noversion.yml", "services:\n  web:\n    image: ${IMAGE}\n    command: [sleep, '3600']\n");
        Lab.Result d = dockerStack("stack", "deploy", "--resolve-image", "never", "-c", noVersion.toString(), "nover");
        assertNotEquals(0, d.code(), d.all());
        assertTrue(d.err().contains("unsupported Compose file version: 1.0"), d.err());
        assertEquals(0, shoal("stack", "deploy", "-c", noVersion.toString(), "nover").code());
        // keys of the compose specification that Docker 20.10's schema does not know: refused there, ignored here
        Path profiles = file("profiles.yml", "version: '3.9'\nservices:\n  web:\n    image: ${IMAGE}\n    profiles: [debug]\n");
        assertNotEquals(0, dockerStack("stack", "deploy", "--resolve-image", "never", "-c", profiles.toString(), "prof").code());
        Lab.Result s = shoal("stack", "deploy", "-c", profiles.toString(), "prof");
        assertEquals(0, s.code(), s.all());
        assertTrue(s.err().contains("Ignoring unsupported options: profiles"), s.err());
        // jobs: Docker 20.10's CLI knows only replicated and global; Shoal runs jobs
        Path job = file("job.yml", "version: '3.9'\nservices:\n  once:\n    image: ${IMAGE}\n    command: ['true']\n"
                + "    deploy: {mode: replicated-job, replicas: 2}\n");
        Lab.Result dj = dockerStack("stack", "deploy", "--resolve-image", "never", "-c", job.toString(), "job");
        assertNotEquals(0, dj.code(), dj.all());
        assertEquals(0, shoal("stack", "deploy", "-c", job.toString(), "job").code());
        // the service-level tmpfs key: Docker 20.10 accepts it and mounts nothing; Shoal mounts a tmpfs
        Path tmpfs = file("tmpfs.yml", "version: '3.9'\nservices:\n  web:\n    image: ${IMAGE}\n    command: [sleep, '3600']\n    tmpfs: [/run]\n");
        assertEquals(0, dockerStack("stack", "deploy", "--resolve-image", "never", "-c", tmpfs.toString(), "tmp").code());
        assertEquals(0, shoal("stack", "deploy", "-c", tmpfs.toString(), "tmp").code());
        assertEquals(List.of(), dockerServices("tmp").get("tmp_web").get("mounts"));
        assertEquals(List.of("tmpfs||/run|rw|0"), shoalServices("tmp").get("tmp_web").get("mounts"));
    }
}
