package io.shoal.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.manager.ca.CaException;
import io.shoal.manager.ca.KekLock;
import io.shoal.manager.ca.NodeKeyPem;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.UnlockKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Autolock on namespaced hosts: 3 managers (init --autolock) and a worker running a service. A
 * manager killed with SIGKILL and started again is locked (info says so, commands are refused with
 * one line, a wrong key is refused and changes nothing); the right key unlocks it, it rejoins Raft
 * and the cluster converges with the service still served. After {@code unlock-key --rotate} a
 * restarted manager opens with the new key only; after {@code cluster update --autolock=false} a
 * restarted manager needs no key. Each manager's TLS key file is sealed under its KEK while
 * autolock is on (no PEM, DER or base64 of the key in it) and plain once it is off; the worker's
 * stays plain.
 */
class AutolockIT {
    private static Lab lab;
    private static String image;

    @BeforeAll
    static void up() {
        Assumptions.assumeTrue(Lab.available(), "needs root and ip netns (or -Dshoal.e2e=false was given)");
        lab = new Lab("shoal-e2e-autolock");
        lab.close(); // a leftover from an aborted run
        Lab.Result r = lab.up(3, 1, "10.213.71", "--autolock");
        assertEquals(0, r.code(), "lab up failed:\n" + r.all() + "\n" + lab.log("h1"));
        image = lab.registry();
    }

    @AfterAll
    static void down() {
        if (lab != null) {
            lab.close();
        }
    }

    private static byte[] kekFile(String host) {
        try {
            return Files.readAllBytes(lab.hostDir(host).resolve("data/certs/kek"));
        } catch (IOException e) {
            throw new AssertionError("cannot read the key file of " + host + ": " + e.getMessage(), e);
        }
    }

    /** Whether HOST's key file is locked under KEY (it opens with it). */
    private static boolean lockedUnder(String host, String key) {
        byte[] f = kekFile(host);
        try {
            return KekLock.isLocked(f) && KekLock.unlock(f, UnlockKey.parse(key)).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String tlsKeyFile(String host) {
        try {
            return Files.readString(lab.hostDir(host).resolve("data/certs/node-key.pem"));
        } catch (IOException e) {
            throw new AssertionError("cannot read the TLS key of " + host + ": " + e.getMessage(), e);
        }
    }

    /** HOST's TLS key file is sealed under the KEK that KEY unlocks, and holds the key in no plain form. */
    private static void assertTlsKeySealed(String host, String key) {
        String f = tlsKeyFile(host);
        assertTrue(NodeKeyPem.isSealed(f), host + "'s TLS key is not sealed:\n" + f);
        try {
            Pem.parsePrivateKey(f);
            throw new AssertionError(host + "'s TLS key file holds a plain PEM private key");
        } catch (CaException expected) {
            // no plain key
        }
        PrivateKey k = NodeKeyPem.parse(f, KekLock.unlock(kekFile(host), UnlockKey.parse(key)));
        byte[] der = k.getEncoded();
        byte[] bytes = f.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i + der.length <= bytes.length; i++) {
            assertFalse(Arrays.equals(bytes, i, i + der.length, der, 0, der.length), host + "'s TLS key file holds the key's DER");
        }
        assertFalse(f.replaceAll("\\s", "").contains(Base64.getEncoder().encodeToString(der).substring(0, 40)),
                host + "'s TLS key file holds the key's base64");
    }

    /** Whether HOST's TLS key file is a plain PEM private key. */
    private static boolean tlsKeyPlain(String host) {
        try {
            return Pem.parsePrivateKey(tlsKeyFile(host)) != null;
        } catch (CaException e) {
            return false;
        }
    }

    /** {@code shoal unlock} on HOST with KEY on stdin. */
    private static Lab.Result unlock(String host, String key) {
        Path socket = lab.hostDir(host).resolve("shoal.sock");
        return Lab.run(List.of("sh", "-c", "printf '%s\\n' \"$0\" | \"$1\" --host \"unix://$2\" unlock", key,
                Lab.REPO.resolve("shoal").toString(), socket.toString()), Duration.ofSeconds(90));
    }

    private static Set<String> running(Lab.Result r) {
        Set<String> ids = new TreeSet<>();
        for (JsonNode t : Lab.json(r)) {
            if (t.get("DesiredState").asText().equals("Running") && t.get("CurrentState").asText().startsWith("Running")) {
                ids.add(t.get("ID").asText());
            }
        }
        return ids;
    }

    private static boolean allReady(Lab.Result r) {
        if (r.code() != 0) {
            return false;
        }
        for (JsonNode n : Lab.json(r)) {
            if (!n.get("Status").asText().equals("Ready")) {
                return false;
            }
        }
        return Lab.json(r).size() == 4;
    }

    /** SIGKILL, then the daemon started again on its data dir. */
    private static void killAndStart(String host) {
        Lab.Result kill = lab.host("kill", host);
        assertEquals(0, kill.code(), kill.all());
        Lab.Result start = lab.host("start", host);
        assertEquals(0, start.code(), start.all());
    }

    private static void assertLocked(String host) {
        Lab.Result info = lab.cli(host, "info", "--format", "json");
        assertEquals(0, info.code(), info.all());
        assertEquals("locked", Lab.json(info).get("Swarm").asText(), info.out());
        for (String[] cmd : new String[][] {{"service", "ls"}, {"node", "ls"}, {"unlock-key"}}) {
            Lab.Result r = lab.cli(host, cmd);
            assertEquals(1, r.code(), r.all());
            assertEquals("Error: this node is locked: run 'shoal unlock' and provide the unlock key", r.err().strip(), String.join(" ", cmd));
        }
    }

    private static void assertConverged(String via, Set<String> before) {
        lab.awaitCli(via, Duration.ofSeconds(120), AutolockIT::allReady, "node", "ls", "--format", "json");
        Lab.Result tasks = lab.awaitCli(via, Duration.ofSeconds(120), r -> r.code() == 0 && running(r).size() == 3,
                "service", "ps", "web", "--format", "json");
        assertFalse(running(tasks).isEmpty());
        if (before != null) {
            // the tasks on the worker and the other managers were never moved
            assertTrue(running(tasks).stream().filter(before::contains).count() >= 1, "no task survived: " + tasks.out());
        }
    }

    @Test
    void aRestartedManagerStaysLockedUntilItsKeyAndFollowsRotationAndAutolockOff() {
        String key = lab.ok("h1", "unlock-key", "-q").out().strip();
        assertTrue(key.matches("SWMKEY-1-[A-Za-z0-9+/]{43}"), key);
        Lab.Result shown = lab.ok("h2", "unlock-key");
        assertTrue(shown.out().startsWith("To unlock a swarm manager after it restarts, run `shoal unlock` and provide the following key:"),
                shown.out());
        for (String h : List.of("h1", "h2", "h3")) {
            lab.awaitCli("h1", Duration.ofSeconds(60), r -> lockedUnder(h, key), "node", "ls", "-q");
        }
        for (String h : List.of("h1", "h2", "h3")) {
            assertTlsKeySealed(h, key);
        }
        assertFalse(Files.exists(lab.hostDir("h4").resolve("data/certs/kek")), "a worker holds a key-encryption key");
        assertTrue(tlsKeyPlain("h4"), "the worker's TLS key is not plain");

        lab.ok("h1", "service", "create", "--name", "web", "--replicas", "3", image, "sleep", "100000");
        assertConverged("h1", null);
        Set<String> before = running(lab.ok("h1", "service", "ps", "web", "--format", "json"));

        // a killed manager comes back locked; a wrong key changes nothing; the right one unlocks it
        killAndStart("h2");
        assertLocked("h2");
        assertTlsKeySealed("h2", key);
        byte[] file = kekFile("h2");
        Lab.Result wrong = unlock("h2", UnlockKey.generate(new SecureRandom()).toString());
        assertEquals(1, wrong.code(), wrong.all());
        assertTrue(wrong.err().strip().startsWith("Error: invalid unlock key"), wrong.err());
        assertEquals(1, wrong.err().strip().lines().count(), wrong.err());
        Lab.Result bad = unlock("h2", "not-a-key");
        assertEquals(2, bad.code(), bad.all());
        assertArrayEquals(file, kekFile("h2"));
        assertLocked("h2");
        long t0 = System.nanoTime();
        Lab.Result right = unlock("h2", key);
        long unlockMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, right.code(), right.all() + "\n" + lab.log("h2"));
        lab.awaitCli("h2", Duration.ofSeconds(60), r -> r.code() == 0, "node", "ls", "-q");
        long servingMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("AutolockIT: shoal unlock took %d ms (CLI start to exit); the manager served node ls %d ms after "
                + "the unlock started%n", unlockMs, servingMs);
        assertEquals("active", Lab.json(lab.ok("h2", "info", "--format", "json")).get("Swarm").asText());
        assertConverged("h2", before);
        Lab.Result notLocked = unlock("h1", key);
        assertEquals(1, notLocked.code(), notLocked.all());
        assertTrue(notLocked.err().contains("this node is not locked"), notLocked.err());

        // a rotated key: every manager re-locks its file under it; a restarted one opens with it only
        String rotated = lab.ok("h1", "unlock-key", "--rotate", "-q").out().strip();
        assertNotEquals(key, rotated);
        assertEquals(rotated, lab.ok("h3", "unlock-key", "-q").out().strip());
        for (String h : List.of("h1", "h2", "h3")) {
            lab.awaitCli("h1", Duration.ofSeconds(60), r -> lockedUnder(h, rotated), "node", "ls", "-q");
            assertTlsKeySealed(h, rotated);
        }
        killAndStart("h3");
        assertLocked("h3");
        assertEquals(1, unlock("h3", key).code(), "the previous key opened a manager that saw the rotation");
        Lab.Result next = unlock("h3", rotated);
        assertEquals(0, next.code(), next.all() + "\n" + lab.log("h3"));
        assertConverged("h3", before);

        // autolock off: plain key files, and a restart needs no key
        Lab.Result off = lab.ok("h1", "cluster", "update", "--autolock=false");
        assertTrue(off.out().contains("autolock is off"), off.out());
        for (String h : List.of("h1", "h2", "h3")) {
            lab.awaitCli("h1", Duration.ofSeconds(60), r -> kekFile(h).length == 32 && !KekLock.isLocked(kekFile(h)), "node", "ls", "-q");
            lab.awaitCli("h1", Duration.ofSeconds(60), r -> tlsKeyPlain(h), "node", "ls", "-q");
        }
        killAndStart("h2");
        assertEquals("active", Lab.json(lab.ok("h2", "info", "--format", "json")).get("Swarm").asText());
        assertConverged("h2", before);
        Lab.Result noKey = lab.cli("h1", "unlock-key");
        assertEquals(1, noKey.code(), noKey.all());
        assertTrue(noKey.err().contains("autolock is not enabled"), noKey.err());
    }
}
