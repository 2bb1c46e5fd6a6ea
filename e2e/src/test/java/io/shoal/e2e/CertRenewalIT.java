package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Automatic certificate renewal on namespaced hosts: 3 managers and 2 workers with 2-minute
 * certificates and a service with running tasks, watched for 5 minutes. Nodes stay Ready with one
 * leader, the tasks keep running (the same tasks), commands keep working, and every node's
 * certificate notAfter moves forward while the daemons never restart. Then {@code cluster update
 * --cert-expiry} changes the lifetime of the certificates nodes get next, and bad input (a too
 * short expiry, an expired operator certificate) gets one line and changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CertRenewalIT {
    private static final List<String> HOSTS = List.of("h1", "h2", "h3", "h4", "h5");
    private static final Duration WATCH = Duration.ofMinutes(5);
    private static Lab lab;
    private static String image;
    /** An operator certificate of 1 minute, issued at the start: expired by the end of the watch. */
    private static Path shortOperator;

    @BeforeAll
    static void up() throws IOException {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-renew");
        lab.close(); // a leftover from an aborted run
        Lab.Result r = lab.up(3, 2, "10.213.61", "--cert-expiry 2m");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
        shortOperator = lab.dir.resolve("operator-1m");
        lab.ok("h1", "ca", "client-cert", "--out", shortOperator.toString(), "--expiry", "1m");
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    static X509Certificate cert(String host) {
        try (InputStream in = Files.newInputStream(lab.hostDir(host).resolve("data/certs/node.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | CertificateException e) {
            throw new AssertionError("cannot read " + host + "'s certificate", e);
        }
    }

    /** What is wrong with the cluster as {@code node ls} on {@code host} shows it, or null when it is healthy. */
    static String unhealthy(String host) {
        Lab.Result r = lab.cli(host, "node", "ls", "--format", "json");
        if (r.code() != 0) {
            return "node ls on " + host + " failed: " + r.all();
        }
        int ready = 0;
        int leaders = 0;
        int tlsReady = 0;
        for (JsonNode n : Lab.json(r)) {
            ready += n.get("Status").asText().equals("Ready") ? 1 : 0;
            leaders += n.get("ManagerStatus").asText().equals("Leader") ? 1 : 0;
            tlsReady += n.get("TLSStatus").asText().equals("Ready") ? 1 : 0;
        }
        return ready == 5 && leaders == 1 && tlsReady == 5 ? null : "node ls on " + host + ":\n" + r.out();
    }

    /** The ids of the service's tasks that are running now. */
    static Set<String> runningTasks(String host) {
        return running(lab.ok(host, "service", "ps", "sleeper", "--format", "json"));
    }

    static Set<String> running(Lab.Result r) {
        Set<String> ids = new TreeSet<>();
        for (JsonNode t : Lab.json(r)) {
            if (t.get("DesiredState").asText().equals("Running") && t.get("CurrentState").asText().startsWith("Running")) {
                ids.add(t.get("ID").asText());
            }
        }
        return ids;
    }

    static Map<String, Long> daemonPids() throws IOException {
        Map<String, Long> pids = new HashMap<>();
        for (String h : HOSTS) {
            pids.put(h, lab.daemonPid(h));
        }
        return pids;
    }

    @Test
    @Order(1)
    void aClusterWithTwoMinuteCertificatesStaysHealthyForFiveMinutes() throws Exception {
        lab.ok("h1", "service", "create", "--name", "sleeper", "--replicas", "4", image, "sleep", "100000");
        lab.awaitCli("h1", Duration.ofSeconds(120), r -> r.code() == 0 && running(r).size() == 4,
                "service", "ps", "sleeper", "--format", "json");
        lab.awaitCli("h1", Duration.ofSeconds(60), r -> unhealthy("h1") == null, "node", "ls");
        Set<String> tasks = runningTasks("h1");
        Map<String, Long> pids = daemonPids();
        Map<String, X509Certificate> first = new HashMap<>();
        for (String h : HOSTS) {
            first.put(h, cert(h));
            assertEquals(Duration.ofMinutes(2), Duration.ofMillis(cert(h).getNotAfter().getTime() - cert(h).getNotBefore().getTime())
                    .minus(Duration.ofSeconds(12)), h + "'s certificate lives 2 minutes (after 12 s of backdating)");
        }

        // watch: every few seconds, some command on some manager; all must work and show a healthy cluster
        Instant end = Instant.now().plus(WATCH);
        int checks = 0;
        List<String> hosts = List.of("h1", "h2", "h3");
        while (Instant.now().isBefore(end)) {
            String h = hosts.get(checks % hosts.size());
            String problem = unhealthy(h);
            assertEquals(null, problem, "after " + checks + " checks");
            assertEquals(tasks, runningTasks(h), "the same tasks keep running");
            lab.ok(h, "service", "inspect", "sleeper");
            checks++;
            Thread.sleep(2_000); // a pace for the watch, not a wait for a condition
        }
        assertEquals(pids, daemonPids(), "no daemon restarted");
        for (String h : HOSTS) {
            X509Certificate now = cert(h);
            // three renewals or more in 5 minutes: each moves notAfter by 54 s or more
            assertTrue(now.getNotAfter().getTime() >= first.get(h).getNotAfter().getTime() + Duration.ofMinutes(2).toMillis(),
                    h + "'s notAfter went from " + first.get(h).getNotAfter().toInstant() + " only to " + now.getNotAfter().toInstant());
            JsonNode inspect = Lab.json(lab.ok("h2", "node", "inspect", h)).get(0);
            assertEquals("Ready", inspect.at("/Description/TLSInfo/TLSStatus").asText(), inspect.toString());
            assertTrue(inspect.at("/Description/TLSInfo/CertIssuerSubject").asText().contains("shoal"), inspect.toString());
        }
        System.out.printf("renewal watch: %d checks over %s, every node renewed (notAfter moved by >= 2 min)%n", checks, WATCH);
    }

    @Test
    @Order(2)
    void clusterUpdateChangesTheLifetimeOfTheNextCertificates() {
        Lab.Result tooShort = lab.cli("h2", "cluster", "update", "--cert-expiry", "30s");
        assertEquals(2, tooShort.code(), tooShort.all());
        // a usage error: one line that says what is wrong (then the CLI's usual pointer to --help)
        assertEquals("Error: --cert-expiry 30s is too short: use at least 1m", tooShort.err().lines().findFirst().orElse(""),
                tooShort.err());
        // operator certificates without --expiry live as long as the cluster's certificate expiry says
        assertEquals(Duration.ofMinutes(2), operatorLifetime("op-before"), "nothing changed");

        lab.ok("h2", "cluster", "update", "--cert-expiry", "3m");
        assertEquals(Duration.ofMinutes(3), operatorLifetime("op-after"));
        // every node's next renewal (within 105 s of its last) brings a 3-minute certificate
        long threeMinutes = Duration.ofMinutes(3).plusSeconds(18).toMillis(); // with 18 s of backdating
        for (String h : HOSTS) {
            lab.awaitCli("h1", Duration.ofMinutes(4), r -> {
                X509Certificate c = cert(h);
                return c.getNotAfter().getTime() - c.getNotBefore().getTime() == threeMinutes;
            }, "node", "ls", "-q");
        }
        assertEquals(null, unhealthy("h3"));
    }

    /** The lifetime (without the backdating) of a new operator certificate with the cluster's default expiry. */
    static Duration operatorLifetime(String name) {
        Path d = lab.dir.resolve(name);
        lab.ok("h1", "ca", "client-cert", "--out", d.toString());
        try (InputStream in = Files.newInputStream(d.resolve("cert.pem"))) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            Duration lifetime = Duration.ofMillis(c.getNotAfter().getTime() - c.getNotBefore().getTime());
            return lifetime.minus(lifetime.dividedBy(11)); // notBefore is a tenth of the lifetime early
        } catch (IOException | CertificateException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Order(3)
    void anExpiredOperatorCertificateIsRefusedWithOneLine() throws IOException {
        X509Certificate op;
        try (InputStream in = Files.newInputStream(shortOperator.resolve("cert.pem"))) {
            op = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            throw new AssertionError(e);
        }
        assertTrue(Instant.now().isAfter(op.getNotAfter().toInstant()), "the 1-minute operator certificate expired during the watch");
        List<String> cmd = new ArrayList<>(List.of("exec", "--name", lab.name, "--dir", lab.dir.toString(), "h5",
                "env", "SHOAL_CERT_PATH=" + shortOperator, Lab.REPO.resolve("shoal").toString(),
                "--host", "tcp://" + lab.ip("h1") + ":4242", "node", "update", "--label-add", "expired=yes", "h5"));
        Lab.Result r = lab.lab(Duration.ofSeconds(60), cmd.toArray(String[]::new));
        assertEquals(2, r.code(), r.all());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("Error: SHOAL_CERT_PATH: ") && first.contains("expired at"), r.err());
        assertTrue(!lab.ok("h1", "node", "inspect", "h5").out().contains("expired"), "nothing changed");
    }
}
