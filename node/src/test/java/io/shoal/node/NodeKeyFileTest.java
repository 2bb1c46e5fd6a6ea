package io.shoal.node;

import io.shoal.api.Cluster;
import io.shoal.api.ClusterSpec;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.NodeRole;
import io.shoal.manager.ca.CaException;
import io.shoal.manager.ca.KekLock;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.NodeKeyPem;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.manager.security.UnlockKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A manager's TLS key file under autolock ({@link NodeFiles}, {@link ManagerKeys}): sealed under
 * the KEK exactly while the KEK file is locked, through every write (a new identity, a renewal,
 * autolock on and off), never re-written by an unlock-key rotation, and whole after a crash at any
 * point of a change.
 */
class NodeKeyFileTest {
    private static final RootCa CA = RootCa.create("c1");
    private static final SecureRandom RANDOM = new SecureRandom();

    @TempDir
    Path dir;

    private final byte[] kek = KeyEncryption.newKey();

    private static String cert(KeyPair kp, NodeRole role) {
        return Pem.encode(CA.sign(NodeKeys.csr(kp, "n1"), "n1", role, "c1", List.of("127.0.0.1"), Duration.ofDays(1)));
    }

    private NodeFiles files() {
        return new NodeFiles(dir);
    }

    private String keyFile() throws IOException {
        return Files.readString(files().nodeKey());
    }

    private Cluster cluster(UnlockKey key) {
        Cluster.Builder b = Cluster.newBuilder().setId("c1").setSpec(ClusterSpec.newBuilder().setAutolock(key != null));
        if (key != null) {
            b.setUnlockKey(UnlockKeys.seal(kek, "c1", key));
        }
        return b.build();
    }

    /** Whether the file holds the key in any plain form: a PKCS#8 PEM block, its DER, or its base64. */
    static boolean holdsPlaintext(String file, java.security.PrivateKey key) {
        String b64 = Base64.getEncoder().encodeToString(key.getEncoded());
        byte[] bytes = file.getBytes(StandardCharsets.ISO_8859_1);
        byte[] der = key.getEncoded();
        boolean derFound = false;
        for (int i = 0; i + der.length <= bytes.length && !derFound; i++) {
            derFound = Arrays.equals(bytes, i, i + der.length, der, 0, der.length);
        }
        boolean parses;
        try {
            Pem.parsePrivateKey(file);
            parses = true;
        } catch (CaException e) {
            parses = false;
        }
        return parses || derFound || file.replaceAll("\\s", "").contains(b64.substring(0, 40));
    }

    @Test
    void aSealedIdentityOpensWithItsKekOnlyAndHoldsNoPlaintext() throws IOException {
        KeyPair kp = NodeKeys.generate();
        files().saveIdentity(kp.getPrivate(), cert(kp, NodeRole.NODE_ROLE_MANAGER), Pem.encode(CA.certificate()), kek);
        assertFalse(holdsPlaintext(keyFile(), kp.getPrivate()), keyFile());
        assertEquals(kp.getPrivate(), files().loadIdentity(kek).key());
        CaException none = assertThrows(CaException.class, () -> files().loadIdentity());
        assertTrue(none.getMessage().contains("sealed"), none.getMessage());
        assertThrows(CaException.class, () -> files().loadIdentity(KeyEncryption.newKey()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files().nodeKey())));
    }

    @Test
    void resealingRewritesTheKeyFileAtomicallyAndOnlyWhenItsFormChanges() throws IOException {
        KeyPair kp = NodeKeys.generate();
        files().saveIdentity(kp.getPrivate(), cert(kp, NodeRole.NODE_ROLE_MANAGER), Pem.encode(CA.certificate()), null);
        assertTrue(holdsPlaintext(keyFile(), kp.getPrivate()), "the check cannot fail: it does not find a plain key");
        String cert = Files.readString(files().nodeCert());

        assertTrue(files().resealKey(kek, true));
        String sealed = keyFile();
        assertTrue(NodeKeyPem.isSealed(sealed));
        assertFalse(holdsPlaintext(sealed, kp.getPrivate()));
        assertFalse(files().resealKey(kek, true), "an already sealed key was re-written");
        assertEquals(sealed, keyFile());
        assertEquals(cert, Files.readString(files().nodeCert()), "the certificate changed");

        assertTrue(files().resealKey(kek, false));
        assertEquals(Pem.encode(kp.getPrivate()), keyFile());
        assertEquals(kp.getPrivate(), files().loadIdentity().key());
        try (Stream<Path> left = Files.list(files().certs())) {
            assertEquals(List.of("ca.pem", "node-key.pem", "node.pem"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "a rewrite left a temp file behind");
        }
    }

    @Test
    void aCrashAtAnyPointOfARewriteLeavesAKeyThatOpens() throws IOException {
        KeyPair old = NodeKeys.generate();
        files().saveIdentity(old.getPrivate(), cert(old, NodeRole.NODE_ROLE_MANAGER), Pem.encode(CA.certificate()), kek);
        // killed while writing the temp file of a reseal: the file itself is untouched
        Files.writeString(files().certs().resolve(".node-key.pem.123.tmp"), "-----BEGIN PRIVATE KEY-----\nMIGH");
        assertEquals(old.getPrivate(), files().loadIdentity(kek).key());
        // killed during a renewal: the new key written (sealed), its certificate not yet: the old pair stays
        KeyPair next = NodeKeys.generate();
        Files.writeString(files().certs().resolve("next-key.pem"), NodeKeyPem.encode(next.getPrivate(), kek));
        assertEquals(old.getPrivate(), files().loadIdentity(kek).key());
        // both written: the new pair is moved in by whoever loads next, and still opens with the KEK
        Files.writeString(files().certs().resolve("next-key.pem"), NodeKeyPem.encode(next.getPrivate(), kek));
        Files.writeString(files().certs().resolve("next.pem"), cert(next, NodeRole.NODE_ROLE_MANAGER));
        NodeFiles.Identity id = files().loadIdentity(kek);
        assertEquals(next.getPrivate(), id.key());
        assertEquals(next.getPublic(), id.cert().getPublicKey());
        // killed between sealing the TLS key and locking the KEK (autolock turning on): the plain KEK opens it
        ManagerKeys keys = new ManagerKeys(files());
        files().saveKek(kek);
        assertEquals(next.getPrivate(), files().loadIdentity(keys.known()).key());
    }

    @Test
    void theKeyFileFollowsAutolockThroughRenewalsAndARotationRewrapsTheKekOnly() throws IOException {
        UnlockKey first = UnlockKey.generate(RANDOM);
        ManagerKeys keys = new ManagerKeys(files());
        KeyPair kp = NodeKeys.generate();
        keys.saveManager(kp.getPrivate(), cert(kp, NodeRole.NODE_ROLE_MANAGER), Pem.encode(CA.certificate()), kek, first);
        assertTrue(KekLock.isLocked(files().loadKek()));
        assertFalse(holdsPlaintext(keyFile(), kp.getPrivate()), "init --autolock wrote a plain TLS key");

        KeyPair renewed = NodeKeys.generate();
        keys.savePair(renewed.getPrivate(), cert(renewed, NodeRole.NODE_ROLE_MANAGER));
        assertFalse(holdsPlaintext(keyFile(), renewed.getPrivate()), "a renewal under autolock wrote a plain TLS key");
        assertEquals(renewed.getPrivate(), files().loadIdentity(kek).key());

        keys.follow(cluster(first));
        String sealed = keyFile();
        UnlockKey rotated = UnlockKey.generate(RANDOM);
        keys.follow(cluster(rotated));
        assertArrayEquals(kek, KekLock.unlock(files().loadKek(), rotated));
        assertEquals(sealed, keyFile(), "a rotation of the unlock key re-wrote the TLS key");

        keys.follow(cluster(null));
        assertArrayEquals(kek, files().loadKek());
        assertEquals(Pem.encode(renewed.getPrivate()), keyFile(), "autolock off left the TLS key sealed");
        KeyPair plainRenewal = NodeKeys.generate();
        keys.savePair(plainRenewal.getPrivate(), cert(plainRenewal, NodeRole.NODE_ROLE_MANAGER));
        assertTrue(holdsPlaintext(keyFile(), plainRenewal.getPrivate()), "a renewal without autolock sealed the key");

        keys.follow(cluster(rotated));
        assertFalse(holdsPlaintext(keyFile(), plainRenewal.getPrivate()), "autolock on left the TLS key plain");
        assertTrue(KekLock.isLocked(files().loadKek()));
    }

    @Test
    void aManagerJoiningAClusterWithAutolockWritesItsKekLockedAndItsKeySealedAtOnce() throws IOException {
        UnlockKey key = UnlockKey.generate(RANDOM);
        KeyPair kp = NodeKeys.generate();
        IssueNodeCertificateResponse resp = IssueNodeCertificateResponse.newBuilder().setNodeId("n1").setClusterId("c1")
                .setRole(NodeRole.NODE_ROLE_MANAGER).setCertPem(cert(kp, NodeRole.NODE_ROLE_MANAGER))
                .setCaCertPem(Pem.encode(CA.certificate())).setKek(com.google.protobuf.ByteString.copyFrom(kek))
                .setUnlockKey(UnlockKeys.seal(kek, "c1", key)).build();
        ManagerKeys keys = new ManagerKeys(files());
        keys.adopt(kp.getPrivate(), resp);
        assertArrayEquals(kek, KekLock.unlock(files().loadKek(), key), "the joined manager's KEK is not locked under the key");
        assertFalse(holdsPlaintext(keyFile(), kp.getPrivate()));
        assertEquals(kp.getPrivate(), files().loadIdentity(kek).key());

        // demoted: a worker's plain key, no KEK
        KeyPair worker = NodeKeys.generate();
        keys.adopt(worker.getPrivate(), resp.toBuilder().setRole(NodeRole.NODE_ROLE_WORKER).clearKek().clearUnlockKey()
                .setCertPem(cert(worker, NodeRole.NODE_ROLE_WORKER)).build());
        assertFalse(Files.exists(files().kek()));
        assertEquals(worker.getPrivate(), files().loadIdentity().key());
        assertFalse(keys.locked());

        // a cluster without autolock: both plain
        keys.adopt(kp.getPrivate(), resp.toBuilder().clearUnlockKey().build());
        assertArrayEquals(kek, files().loadKek());
        assertTrue(holdsPlaintext(keyFile(), kp.getPrivate()));
    }
}
