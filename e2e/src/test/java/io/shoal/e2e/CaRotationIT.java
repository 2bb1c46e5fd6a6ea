package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Root CA rotation on namespaced hosts: 3 managers and 2 workers with running tasks (a third
 * worker left beforehand, so it is no node of the cluster). {@code shoal ca --rotate} shows its
 * progress and completes; every node then holds a certificate under the new root and trusts the new
 * root alone (in its data dir); nodes stay Ready, the same tasks keep running and no daemon
 * restarted; an operator certificate and a join token of the old root are refused; the spare host
 * joins with the new token.
 */
class CaRotationIT {
    private static final List<String> MEMBERS = List.of("h1", "h2", "h3", "h4", "h5");
    private static Lab lab;
    private static String image;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-carotate");
        lab.close(); // a leftover from an aborted run
        Lab.Result r = lab.up(3, 3, "10.213.67");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    static List<X509Certificate> certs(String pem) {
        try {
            return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                    .stream().map(c -> (X509Certificate) c).toList();
        } catch (Exception e) {
            throw new AssertionError("not PEM certificates: " + pem, e);
        }
    }

    static List<X509Certificate> certs(Path file) throws IOException {
        return certs(Files.readString(file));
    }

    static String digest(X509Certificate c) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    static boolean healthy(Lab.Result r, int nodes) {
        if (r.code() != 0) {
            return false;
        }
        int ready = 0;
        for (JsonNode n : Lab.json(r)) {
            ready += n.get("Status").asText().equals("Ready") && n.get("TLSStatus").asText().equals("Ready") ? 1 : 0;
        }
        return Lab.json(r).size() == nodes && ready == nodes;
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

    /** {@code shoal ARGS} on {@code host} against h1's cluster port with the operator certificate in {@code certDir}. */
    static Lab.Result asOperator(String host, Path certDir, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("exec", "--name", lab.name, "--dir", lab.dir.toString(), host,
                "env", "SHOAL_CERT_PATH=" + certDir, Lab.REPO.resolve("shoal").toString(), "--host", "tcp://" + lab.ip("h1") + ":4242"));
        cmd.addAll(List.of(args));
        return lab.lab(Duration.ofSeconds(60), cmd.toArray(String[]::new));
    }

    @Test
    void rotationMovesEveryNodeToTheNewRootWithoutDisturbingTasks() throws Exception {
        // h6 is the spare host: it leaves, and joins again once the rotation is over
        lab.ok("h6", "leave");
        lab.awaitCli("h1", Duration.ofSeconds(60), r -> r.code() == 0, "node", "rm", "h6");
        lab.ok("h1", "service", "create", "--name", "sleeper", "--replicas", "4", image, "sleep", "100000");
        lab.awaitCli("h1", Duration.ofSeconds(120), r -> r.code() == 0 && running(r).size() == 4,
                "service", "ps", "sleeper", "--format", "json");
        lab.awaitCli("h1", Duration.ofSeconds(60), r -> healthy(r, 5), "node", "ls", "--format", "json");
        Set<String> tasks = running(lab.ok("h1", "service", "ps", "sleeper", "--format", "json"));
        Map<String, Long> pids = new HashMap<>();
        for (String h : MEMBERS) {
            pids.put(h, lab.daemonPid(h));
        }
        X509Certificate oldRoot = certs(lab.ok("h1", "ca").out()).get(0);
        String oldToken = lab.ok("h1", "join-token", "-q", "worker").out().trim();
        Path oldOperator = lab.dir.resolve("operator-old");
        lab.ok("h1", "ca", "client-cert", "--out", oldOperator.toString());
        assertEquals(0, asOperator("h6", oldOperator, "node", "ls").code(), "the operator certificate works before the rotation");

        long t0 = System.nanoTime();
        Lab.Result rotated = lab.ok("h2", "ca", "--rotate");
        long rotationMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(rotated.out().contains("rotated 5/5 nodes"), rotated.out());
        assertTrue(rotated.out().contains("Root CA rotation complete"), rotated.out());
        X509Certificate newRoot = certs(rotated.out().substring(rotated.out().indexOf("-----BEGIN"))).get(0);
        assertNotEquals(digest(oldRoot), digest(newRoot));
        assertEquals(digest(newRoot), digest(certs(lab.ok("h3", "ca").out()).get(0)), "the cluster's root is the new one");

        // every node trusts the new root alone, in its data dir, and its certificate is under it
        for (String h : MEMBERS) {
            Path certsDir = lab.hostDir(h).resolve("data/certs");
            try {
                lab.awaitCli("h1", Duration.ofSeconds(60), r -> {
                    try {
                        List<X509Certificate> roots = certs(certsDir.resolve("ca.pem"));
                        return roots.size() == 1 && digest(roots.get(0)).equals(digest(newRoot));
                    } catch (Exception e) {
                        return false;
                    }
                }, "node", "ls", "-q");
            } catch (AssertionError e) {
                throw new AssertionError(h + " does not trust the new root alone: its ca.pem holds "
                        + certs(certsDir.resolve("ca.pem")).size() + " root(s)\n" + lab.log(h), e);
            }
            certs(certsDir.resolve("node.pem")).get(0).verify(newRoot.getPublicKey());
        }
        lab.awaitCli("h3", Duration.ofSeconds(60), r -> healthy(r, 5), "node", "ls", "--format", "json");
        assertEquals(tasks, running(lab.ok("h2", "service", "ps", "sleeper", "--format", "json")), "the same tasks keep running");
        for (String h : MEMBERS) {
            assertEquals(pids.get(h), lab.daemonPid(h), h + "'s daemon restarted");
        }

        // the old root's operator certificate and join token are refused; a new certificate and token work
        Lab.Result refused = asOperator("h6", oldOperator, "node", "ls");
        assertNotEquals(0, refused.code(), refused.all());
        assertEquals(1, refused.err().strip().lines().count(), "one line: " + refused.err());
        String managerAddr = lab.ip("h1") + ":4242";
        Lab.Result oldJoin = lab.cli("h6", "join", "--token", oldToken, managerAddr);
        assertEquals(1, oldJoin.code(), oldJoin.all());
        assertTrue(oldJoin.err().contains("token"), oldJoin.err());
        String newToken = lab.ok("h1", "join-token", "-q", "worker").out().trim();
        assertTrue(newToken.contains(digest(newRoot)), newToken);
        lab.ok("h6", "join", "--token", newToken, managerAddr);
        lab.awaitCli("h1", Duration.ofSeconds(60), r -> healthy(r, 6), "node", "ls", "--format", "json");
        Path newOperator = lab.dir.resolve("operator-new");
        lab.ok("h1", "ca", "client-cert", "--out", newOperator.toString());
        Lab.Result asNew = asOperator("h6", newOperator, "node", "ls");
        System.out.println("new operator certificate after the rotation: exit " + asNew.code() + "\n" + asNew.all());
        assertEquals(0, asNew.code(), asNew.all());
        System.out.printf("ca rotation: 3 managers + 2 workers rotated in %d ms (shoal ca --rotate, wall clock incl. CLI start)%n",
                rotationMs);
    }
}
