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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Docker Engine API driven by docker's own clients, no hand-made requests: Debian's docker CLI
 * (20.10, API 1.41) and docker-py (python3-docker) against a lab manager's {@code --docker-api}
 * socket, each result checked against what {@code shoal} reports. A lab of one manager and one
 * worker with the lab's registry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EngineApiIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path DOCKER = Path.of("/usr/bin/docker");
    static final Path PYTHON = Path.of("/usr/bin/python3");
    private static Lab lab;
    private static String image;
    private static String socket;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        Assumptions.assumeTrue(Files.isExecutable(DOCKER), "needs Debian's docker.io client (deploy/install-deps.sh)");
        lab = new Lab("shoal-e2e-engineapi");
        lab.close();
        Lab.Result r = lab.up(1, 1, "10.213.7");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
        socket = lab.hostDir("h1").resolve("docker.sock").toString();
        restartWithApi("h1", "--docker-api", "unix://" + socket, "--docker-api", "tcp://" + lab.ip("h1") + ":2376");
        restartWithApi("h2", "--docker-api", "unix://" + lab.hostDir("h2").resolve("docker.sock"));
    }

    static void restartWithApi(String host, String... args) {
        List<String> a = new ArrayList<>(List.of("restart", "--name", lab.name, "--dir", lab.dir.toString(), host));
        a.addAll(List.of(args));
        Lab.Result r = lab.lab(Duration.ofMinutes(2), a.toArray(String[]::new));
        assertEquals(0, r.code(), "restart " + host + ": " + r.all() + "\n" + lab.log(host));
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    static Lab.Result docker(String... args) {
        return dockerAt(socket, args);
    }

    static Lab.Result dockerAt(String sock, String... args) {
        List<String> cmd = new ArrayList<>(List.of(DOCKER.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> env = new HashMap<>();
        env.put("DOCKER_HOST", "unix://" + sock);
        env.put("DOCKER_CONFIG", lab.dir.resolve("docker-config").toString());
        return Lab.run(cmd, Duration.ofMinutes(3), env);
    }

    /** Runs docker until its result is what the test waits for, up to a minute; the last result fails the test otherwise. */
    static Lab.Result awaitDocker(Predicate<Lab.Result> ok, String... args) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        Lab.Result last = docker(args);
        while (!ok.test(last) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            last = docker(args);
        }
        assertTrue(ok.test(last), "docker " + String.join(" ", args) + ": " + last.all());
        return last;
    }

    static JsonNode shoalJson(String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--format", "json"));
        Lab.Result r = lab.cli("h1", a.toArray(String[]::new));
        assertEquals(0, r.code(), r.all());
        return JSON.readTree(r.out());
    }

    static JsonNode service(String name) throws IOException {
        for (JsonNode s : shoalJson("service", "ls")) {
            if (s.get("Name").asText().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The service's environment as shoal shows its current spec. */
    static String env(String service) throws IOException {
        Lab.Result r = lab.cli("h1", "service", "inspect", service);
        assertEquals(0, r.code(), r.all());
        JsonNode env = JSON.readTree(r.out()).get(0).path("Spec").path("TaskTemplate").path("ContainerSpec").path("Env");
        return env.isMissingNode() ? "[]" : env.toString().replace(" ", "");
    }

    @Test
    @Order(1)
    void infoAndNodesAreTheClustersAsShoalReportsThem() throws IOException {
        Lab.Result info = docker("info", "--format", "{{json .Swarm}}");
        assertEquals(0, info.code(), info.all());
        JsonNode swarm = JSON.readTree(info.out());
        Lab.Result shoalInfo = lab.cli("h1", "info");
        assertTrue(shoalInfo.out().contains(swarm.get("NodeID").asText()), shoalInfo.out() + "\n" + info.out());
        assertEquals("active", swarm.get("LocalNodeState").asText());
        assertTrue(swarm.get("ControlAvailable").asBoolean());
        assertEquals(2, swarm.get("Nodes").asInt());
        assertEquals(1, swarm.get("Managers").asInt());

        Lab.Result ls = docker("node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}");
        assertEquals(0, ls.code(), ls.all());
        assertEquals(List.of("h1 Ready Leader", "h2 Ready "), ls.out().lines().sorted().toList());

        Lab.Result label = docker("node", "update", "--label-add", "zone=a", "h2");
        assertEquals(0, label.code(), label.all());
        Lab.Result inspect = lab.cli("h1", "node", "inspect", "h2");
        assertTrue(inspect.out().contains("\"zone\""), inspect.out());
        Lab.Result dockerInspect = docker("node", "inspect", "--format", "{{.Spec.Labels.zone}} {{.Description.Hostname}}", "h2");
        assertEquals("a h2", dockerInspect.out().strip(), dockerInspect.all());
    }

    @Test
    @Order(2)
    void aServiceCreatedByDockerRunsAsShoalsOwnAndItsLifecycleFollows() throws IOException {
        String since = java.time.Instant.now().minusSeconds(1).toString();
        Lab.Result create = docker("service", "create", "--name", "web", "--replicas", "3", "-p", "8080:80", image,
                "sh", "-c", "echo hello from $(hostname); exec httpd -f -p 80");
        assertEquals(0, create.code(), create.all() + "\n" + lab.log("h1"));
        JsonNode web = service("web");
        assertEquals("3/3", web.get("Replicas").asText(), web.toString());
        assertTrue(web.get("Ports").asText().contains("8080->80"), web.toString());

        Lab.Result ls = docker("service", "ls", "--format", "{{.Name}} {{.Replicas}} {{.Ports}}");
        assertEquals("web 3/3 *:8080->80/tcp", ls.out().strip(), ls.all());
        Lab.Result ps = docker("service", "ps", "--filter", "desired-state=running", "--format", "{{.Name}} {{.CurrentState}}", "web");
        assertEquals(3, ps.out().lines().filter(l -> l.matches("web\\.[123] Running.*")).count(), ps.all());
        Lab.Result inspect = docker("service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}} {{.Spec.TaskTemplate.ContainerSpec.Image}}", "web");
        assertTrue(inspect.out().strip().matches("3 " + Pattern.quote(image) + "@sha256:[0-9a-f]{64}"), "pinned to the registry's digest: " + inspect.all());
        assertFalse(create.all().contains("could not be accessed on a registry"), create.all());
        String pinned = inspect.out().strip().substring(2);
        Lab.Result shoalInspect = lab.cli("h1", "service", "inspect", "web");
        assertEquals(pinned, JSON.readTree(shoalInspect.out()).get(0).path("Spec").path("TaskTemplate").path("ContainerSpec")
                .path("Image").asText(), shoalInspect.out());
        awaitDocker(r -> r.code() == 0 && r.out().lines().filter(l -> l.matches("web\\.[123]\\.\\w+@h[12]\\s+\\| hello from .*")).count() == 3,
                "service", "logs", "web");

        Lab.Result scale = docker("service", "scale", "web=5");
        assertEquals(0, scale.code(), scale.all());
        assertEquals("5/5", service("web").get("Replicas").asText());

        Lab.Result update = docker("service", "update", "--image", image, "--env-add", "STAGE=2", "web");
        assertEquals(0, update.code(), update.all());
        assertEquals("[\"STAGE=2\"]", env("web"));
        Lab.Result rollback = docker("service", "rollback", "web");
        assertEquals(0, rollback.code(), rollback.all());
        assertEquals("[]", env("web"), "rolled back to the spec before the update");

        Lab.Result rm = docker("service", "rm", "web");
        assertEquals(0, rm.code(), rm.all());
        assertEquals(null, service("web"));

        // docker events replays the kept events of the lifecycle above, filtered on the manager
        Lab.Result events = docker("events", "--since", since, "--until", java.time.Instant.now().plusSeconds(1).toString(),
                "--filter", "type=service", "--filter", "service=web", "--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}");
        assertEquals(0, events.code(), events.all());
        List<String> seen = events.out().lines().distinct().toList();
        assertEquals(List.of("service create web", "service update web", "service remove web"), seen, events.out());
    }

    @Test
    @Order(3)
    void networksAndStacksAsDockersCliMakesThem() throws IOException {
        Lab.Result net = docker("network", "create", "-d", "overlay", "--label", "team=a", "backend");
        assertEquals(0, net.code(), net.all());
        boolean found = false;
        for (JsonNode n : shoalJson("network", "ls")) {
            found |= n.toString().contains("backend");
        }
        assertTrue(found, "shoal network ls shows backend");
        Lab.Result dls = docker("network", "ls", "--filter", "label=team=a", "--format", "{{.Name}} {{.Driver}} {{.Scope}}");
        assertEquals("backend overlay swarm", dls.out().strip(), dls.all());

        Path compose = lab.dir.resolve("stack.yml");
        Files.writeString(compose, """
                version: "3.8"
                services:
                  app:
                    image: %s
                    command: ["sleep", "3600"]
                    deploy:
                      replicas: 2
                """.formatted(image));
        Lab.Result deploy = docker("stack", "deploy", "-c", compose.toString(), "st");
        assertEquals(0, deploy.code(), deploy.all());
        JsonNode app = service("st_app");
        assertNotEquals(null, app, "shoal service ls shows st_app");
        Lab.Result stackLs = docker("stack", "ls", "--format", "{{.Name}} {{.Services}}");
        assertEquals("st 1", stackLs.out().strip(), stackLs.all());
        Lab.Result stackRm = docker("stack", "rm", "st");
        assertEquals(0, stackRm.code(), stackRm.all());
        assertEquals(null, service("st_app"));
        assertEquals(0, docker("network", "rm", "backend").code());
    }

    @Test
    @Order(4)
    void badRequestsGetDockersStatusAndAMessageAndChangeNothing() throws IOException {
        Lab.Result tooNew = Lab.run(List.of(DOCKER.toString(), "version"), Duration.ofSeconds(30),
                Map.of("DOCKER_HOST", "unix://" + socket, "DOCKER_API_VERSION", "1.45"));
        assertTrue(tooNew.all().contains("client version 1.45 is too new. Maximum supported API version is 1.41"), tooNew.all());
        Lab.Result tty = docker("service", "create", "--detach", "--name", "tty", "--tty", image, "sleep", "1");
        assertNotEquals(0, tty.code());
        assertTrue(tty.err().contains("TaskTemplate.ContainerSpec.TTY: not supported by Shoal"), tty.all());
        assertEquals(null, service("tty"));
        Lab.Result missing = docker("service", "inspect", "nosuch");
        assertNotEquals(0, missing.code());
        assertTrue(missing.all().contains("nosuch"), missing.all());
        Lab.Result missingSecret = docker("secret", "inspect", "nosuch");
        assertNotEquals(0, missingSecret.code());
        assertTrue(missingSecret.err().contains("nosuch"), missingSecret.all());
        Lab.Result worker = dockerAt(lab.hostDir("h2").resolve("docker.sock").toString(), "node", "ls");
        assertNotEquals(0, worker.code());
        assertTrue(worker.err().contains("This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state"),
                worker.all());
    }

    @Test
    @Order(5)
    void secretsAndConfigsCreatedByDockerAreShoalsAndASecretReachesItsContainerButNeverComesBack() throws IOException {
        Lab.Result secret = Lab.run(List.of("sh", "-c", "printf s3cret | " + DOCKER + " secret create --label team=a pw -"),
                Duration.ofSeconds(30), Map.of("DOCKER_HOST", "unix://" + socket));
        assertEquals(0, secret.code(), secret.all());
        Lab.Result shoal = lab.cli("h1", "secret", "ls");
        assertTrue(shoal.out().contains("pw"), shoal.all());
        Lab.Result ls = docker("secret", "ls", "--filter", "label=team=a", "--format", "{{.Name}}");
        assertEquals("pw", ls.out().strip(), ls.all());
        Lab.Result inspect = docker("secret", "inspect", "pw");
        assertEquals(0, inspect.code(), inspect.all());
        assertTrue(!inspect.out().contains("czNjcmV0") && !inspect.out().contains("s3cret"), inspect.out());

        Lab.Result create = docker("service", "create", "--name", "sec", "--secret", "source=pw,target=app.pw,uid=1000,gid=1000,mode=0400",
                image, "sh", "-c", "echo file $(stat -c '%u:%g %a' /run/secrets/app.pw) $(cat /run/secrets/app.pw); exec sleep 3600");
        assertEquals(0, create.code(), create.all());
        Lab.Result shoalInspect = lab.cli("h1", "service", "inspect", "sec");
        JsonNode file = JSON.readTree(shoalInspect.out()).get(0).path("Spec").path("TaskTemplate").path("ContainerSpec")
                .path("Secrets").path(0).path("File");
        assertEquals("app.pw 1000", file.path("Name").asText() + " " + file.path("UID").asText(), shoalInspect.out());
        awaitDocker(r -> r.out().strip().equals("file 1000:1000 400 s3cret"), "service", "logs", "--raw", "sec");
        Lab.Result inUse = docker("secret", "rm", "pw");
        assertNotEquals(0, inUse.code(), "a secret a service uses stays");
        assertTrue(lab.cli("h1", "secret", "ls").out().contains("pw"));
        assertEquals(0, docker("service", "rm", "sec").code());

        Lab.Result rm = docker("secret", "rm", "pw");
        assertEquals(0, rm.code(), rm.all());
        assertTrue(!lab.cli("h1", "secret", "ls").out().contains("pw"));

        Path conf = lab.dir.resolve("app.conf");
        Files.writeString(conf, "port=80\n");
        Lab.Result config = docker("config", "create", "app.conf", conf.toString());
        assertEquals(0, config.code(), config.all());
        assertTrue(lab.cli("h1", "config", "ls").out().contains("app.conf"));
        Lab.Result data = docker("config", "inspect", "--format", "{{printf \"%s\" .Spec.Data}}", "app.conf");
        assertEquals("port=80", data.out().strip(), data.all());
        assertEquals(0, docker("config", "rm", "app.conf").code());
        assertTrue(!lab.cli("h1", "config", "ls").out().contains("app.conf"));
    }

    @Test
    @Order(6)
    void tcpIsMutualTlsAndAManagersCertificateAdministers() throws IOException {
        Path managerCerts = certs("h1");
        Path workerCerts = certs("h2");
        String host = "tcp://" + lab.ip("h1") + ":2376";
        Lab.Result asManager = lab.exec("h2", "env", "DOCKER_HOST=" + host, "DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=" + managerCerts,
                DOCKER.toString(), "node", "ls", "--format", "{{.Hostname}}");
        assertEquals(0, asManager.code(), asManager.all());
        assertEquals(List.of("h1", "h2"), asManager.out().lines().sorted().toList());
        Lab.Result asWorker = lab.exec("h2", "env", "DOCKER_HOST=" + host, "DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=" + workerCerts,
                DOCKER.toString(), "node", "ls");
        assertNotEquals(0, asWorker.code());
        assertTrue(asWorker.all().contains("a worker's certificate cannot administer the cluster"), asWorker.all());
    }

    /** A host's certificate and key as docker's DOCKER_CERT_PATH names them. */
    static Path certs(String host) throws IOException {
        Path src = lab.hostDir(host).resolve("data/certs");
        Path dst = lab.dir.resolve("docker-certs-" + host);
        Files.createDirectories(dst);
        Files.copy(src.resolve("ca.pem"), dst.resolve("ca.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(src.resolve("node.pem"), dst.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(src.resolve("node-key.pem"), dst.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
        return dst;
    }

    @Test
    @Order(7)
    void dockerPyDrivesServicesAndNodes() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "needs /usr/bin/python3 with python3-docker");
        String script = """
                import docker, json, sys
                c = docker.DockerClient(base_url=sys.argv[1], version="auto")
                nodes = sorted(n.attrs["Description"]["Hostname"] for n in c.nodes.list())
                s = c.services.create(sys.argv[2], name="py", command=["sleep", "3600"],
                                      mode=docker.types.ServiceMode("replicated", replicas=2))
                s.reload()
                s.scale(1)
                s.reload()
                print(json.dumps({"nodes": nodes, "services": [x.name for x in c.services.list()],
                                  "replicas": s.attrs["Spec"]["Mode"]["Replicated"]["Replicas"]}))
                """;
        Path py = lab.dir.resolve("dockerpy.py");
        Files.writeString(py, script);
        Lab.Result r = Lab.run(List.of(PYTHON.toString(), py.toString(), "unix://" + socket, image), Duration.ofMinutes(2));
        assertEquals(0, r.code(), r.all());
        JsonNode out = JSON.readTree(r.out());
        assertEquals("[\"h1\",\"h2\"]", out.get("nodes").toString());
        assertTrue(out.get("services").toString().contains("\"py\""), r.out());
        assertEquals(1, out.get("replicas").asInt());
        JsonNode shoal = lab.cli("h1", "service", "inspect", "py").code() == 0 ? service("py") : null;
        assertNotEquals(null, shoal, "shoal sees the service docker-py made");
        Lab.Result pyInspect = lab.cli("h1", "service", "inspect", "py");
        assertEquals(1, JSON.readTree(pyInspect.out()).get(0).path("Spec").path("Mode").path("Replicated").path("Replicas")
                .asInt(-1), pyInspect.out());
        Lab.Result rm = Lab.run(List.of(PYTHON.toString(), "-c",
                "import docker,sys; docker.DockerClient(base_url=sys.argv[1], version='auto').services.get('py').remove()",
                "unix://" + socket), Duration.ofMinutes(1));
        assertEquals(0, rm.code(), rm.all());
        assertEquals(null, service("py"));
    }

    @Test
    @Order(8)
    void swarmUpdateCertExpirySetsTheClustersAsClusterUpdateDoes() throws Exception {
        Lab.Result update = docker("swarm", "update", "--cert-expiry", "2h");
        assertEquals(0, update.code(), update.all());
        Lab.Result inspect = docker("info", "--format", "{{.Swarm.Cluster.Spec.CAConfig.NodeCertExpiry}}");
        assertEquals("2h0m0s", inspect.out().strip(), inspect.all());
        // the next certificate the cluster's CA issues is valid for 2 hours
        Path out = lab.dir.resolve("operator-2h");
        Lab.Result issued = lab.cli("h1", "ca", "client-cert", "--out", out.toString());
        assertEquals(0, issued.code(), issued.all());
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(out.resolve("cert.pem"))) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        long left = cert.getNotAfter().getTime() - System.currentTimeMillis();
        assertTrue(left > Duration.ofMinutes(110).toMillis() && left <= Duration.ofHours(2).toMillis(), "valid for 2h: " + cert.getNotAfter());

        Lab.Result tooShort = docker("swarm", "update", "--cert-expiry", "30s");
        assertNotEquals(0, tooShort.code());
        assertTrue(tooShort.err().contains("minimum certificate expiry time is: 1m0s"), tooShort.all());
        assertEquals("2h0m0s", docker("info", "--format", "{{.Swarm.Cluster.Spec.CAConfig.NodeCertExpiry}}").out().strip());
    }
}
