package io.shoal.node;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.ControlGrpc;
import io.shoal.api.GetRootRotationRequest;
import io.shoal.api.GetUnlockKeyRequest;
import io.shoal.api.InitRequest;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.LocalInfo;
import io.shoal.api.LocalInfoRequest;
import io.shoal.api.LocalNodeGrpc;
import io.shoal.api.RootRotationStatus;
import io.shoal.api.RotateRootCARequest;
import io.shoal.api.RotateUnlockKeyRequest;
import io.shoal.api.UnlockRequest;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.manager.ca.KekLock;
import io.shoal.manager.ca.NodeKeyPem;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.ca.UnlockKey;
import io.shoal.node.InProcessClusterTest.FakeExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Autolock on a real daemon in this JVM (real Ratis, a fake executor), restarted on its data dir:
 * init --autolock locks the key file; a restarted manager is locked (info says so, the cluster API
 * refuses, a wrong key changes nothing) until the right key; a rotated key re-locks the file and the
 * old key no longer opens it; autolock off leaves the file plain and a restart needs no key. The
 * TLS key file is sealed under the KEK whenever the KEK is locked, and plain when autolock is off;
 * the key a root rotation renews is written sealed, and presented again once the manager is unlocked.
 */
class AutolockTest {
    @TempDir
    Path dir;
    private NodeDaemon daemon;
    private ManagedChannel channel;
    private int port;

    private void start() throws IOException {
        Path data = dir.resolve("m1");
        DaemonOptions o = new DaemonOptions(data, dir.resolve("m1.sock"), "runc", "127.0.0.1:" + port, List.of(), 1000,
                new FakeExecutor(), id -> data.resolve("no-logs"), List.of());
        daemon = new NodeDaemon(o);
        daemon.start();
        channel = LocalSocket.connect(o.socket());
    }

    private void restart() throws IOException {
        stop();
        start();
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    private LocalNodeGrpc.LocalNodeBlockingStub local() {
        return LocalNodeGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private ClusterSecurityGrpc.ClusterSecurityBlockingStub security() {
        return ClusterSecurityGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private byte[] kekFile() {
        try {
            return Files.readAllBytes(dir.resolve("m1/certs/kek"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String tlsKeyFile() {
        try {
            return Files.readString(dir.resolve("m1/certs/node-key.pem"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether the TLS key file is sealed under {@code kek} and holds the key in no plain form. */
    private boolean tlsKeySealed(byte[] kek) {
        String f = tlsKeyFile();
        return NodeKeyPem.isSealed(f) && !NodeKeyFileTest.holdsPlaintext(f, NodeKeyPem.parse(f, kek));
    }

    /** Whether the TLS key file is the plain PKCS#8 PEM of the key this node presents. */
    private boolean tlsKeyPlain() {
        return Pem.parsePrivateKey(tlsKeyFile()).equals(daemon.tls().identity().key());
    }

    private static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (ok.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("timed out waiting until " + what);
    }

    /** Waits until the cluster API answers (the restarted manager leads again). */
    private void awaitServing() throws InterruptedException {
        await("the manager serves the cluster API", () -> {
            ControlGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).listServices(ListServicesRequest.getDefaultInstance());
            return true;
        });
    }

    private void assertLocked() {
        LocalInfo info = local().info(LocalInfoRequest.getDefaultInstance());
        assertTrue(info.getInCluster() && info.getLocked(), info.toString());
        assertEquals(Refusal.LOCKED, info.getError());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> ControlGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).listServices(ListServicesRequest.getDefaultInstance()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals(Refusal.LOCKED, e.getStatus().getDescription());
    }

    private StatusRuntimeException unlockRefused(String key) throws IOException {
        byte[] before = kekFile();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> local().unlock(UnlockRequest.newBuilder().setUnlockKey(key).build()));
        assertFalse(e.getStatus().getDescription().contains("\n"), e.getStatus().getDescription());
        assertArrayEquals(before, kekFile(), "a refused unlock changed the key file");
        assertLocked();
        return e;
    }

    @Test
    void aRestartedManagerIsLockedUntilTheRightKeyAndFollowsRotationAndAutolockOff() throws Exception {
        port = InProcessClusterTest.freePortPair();
        start();
        String key = local().init(InitRequest.newBuilder().setAdvertiseAddr("127.0.0.1:" + port).setAutolock(true).build()).getUnlockKey();
        UnlockKey parsed = UnlockKey.parse(key);
        assertTrue(KekLock.isLocked(kekFile()), "init --autolock left the key file plain");
        byte[] kek = KekLock.unlock(kekFile(), parsed);
        assertTrue(tlsKeySealed(kek), "init --autolock left the TLS key plain: " + tlsKeyFile());
        assertEquals(key, security().getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()).getUnlockKey());
        awaitServing();

        restart();
        assertLocked();
        assertEquals(Status.Code.INVALID_ARGUMENT, unlockRefused(UnlockKey.generate(new java.security.SecureRandom()).toString()).getStatus().getCode());
        assertTrue(unlockRefused("SWMKEY-1-tooshort").getStatus().getDescription().contains("is not an unlock key"));
        assertTrue(tlsKeySealed(kek), "the locked manager's TLS key is not sealed");
        local().unlock(UnlockRequest.newBuilder().setUnlockKey(key).build());
        assertFalse(local().info(LocalInfoRequest.getDefaultInstance()).getLocked());
        awaitServing();
        assertEquals(NodeKeyPem.parse(tlsKeyFile(), kek), daemon.tls().identity().key(), "the unlocked manager presents another key");
        String sealedBeforeRotation = tlsKeyFile();
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
                () -> local().unlock(UnlockRequest.newBuilder().setUnlockKey(key).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());

        String rotated = security().rotateUnlockKey(RotateUnlockKeyRequest.getDefaultInstance()).getUnlockKey();
        assertNotEquals(key, rotated);
        await("the key file is locked under the new key", () -> Arrays.equals(kek, KekLock.unlock(kekFile(), UnlockKey.parse(rotated))));
        assertEquals(sealedBeforeRotation, tlsKeyFile(), "a rotation of the unlock key re-wrote the TLS key");
        restart();
        assertLocked();
        unlockRefused(key);
        local().unlock(UnlockRequest.newBuilder().setUnlockKey(rotated).build());
        awaitServing();

        ControlGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .updateCluster(UpdateClusterRequest.newBuilder().setSetAutolock(true).setAutolock(false).build());
        await("the key file is plain", () -> Arrays.equals(kek, kekFile()));
        await("the TLS key file is plain", this::tlsKeyPlain);
        assertEquals("", security().getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()).getUnlockKey());
        restart();
        assertFalse(local().info(LocalInfoRequest.getDefaultInstance()).getLocked());
        awaitServing();

        ControlGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .updateCluster(UpdateClusterRequest.newBuilder().setSetAutolock(true).setAutolock(true).build());
        String fresh = security().getUnlockKey(GetUnlockKeyRequest.getDefaultInstance()).getUnlockKey();
        await("the key file is locked again", () -> Arrays.equals(kek, KekLock.unlock(kekFile(), UnlockKey.parse(fresh))));
        await("the TLS key file is sealed again", () -> tlsKeySealed(kek));
        restart();
        assertLocked();
        local().unlock(UnlockRequest.newBuilder().setUnlockKey(fresh).build());
        awaitServing();
    }

    @Test
    void aRootRotationUnderAutolockWritesTheNewKeySealedAndTheUnlockedManagerPresentsIt() throws Exception {
        port = InProcessClusterTest.freePortPair();
        start();
        String key = local().init(InitRequest.newBuilder().setAdvertiseAddr("127.0.0.1:" + port).setAutolock(true).build()).getUnlockKey();
        byte[] kek = KekLock.unlock(kekFile(), UnlockKey.parse(key));
        awaitServing();
        PrivateKey before = NodeKeyPem.parse(tlsKeyFile(), kek);

        String target = security().rotateRootCA(RotateRootCARequest.getDefaultInstance()).getTargetCaDigest();
        await("the rotation completed", () -> {
            RootRotationStatus s = security().getRootRotation(GetRootRotationRequest.getDefaultInstance());
            return !s.getRotating() && s.getCurrentCaDigest().equals(target);
        });
        await("the renewed key is on disk", () -> !NodeKeyPem.parse(tlsKeyFile(), kek).equals(before));
        assertTrue(tlsKeySealed(kek), "the renewal under autolock wrote a plain TLS key: " + tlsKeyFile());
        PrivateKey renewed = NodeKeyPem.parse(tlsKeyFile(), kek);
        // the renewal writes the key file, then presents the key: wait for the second step too
        await("the daemon presents the renewed key", () -> renewed.equals(daemon.tls().identity().key()));

        restart();
        assertLocked();
        local().unlock(UnlockRequest.newBuilder().setUnlockKey(key).build());
        awaitServing();
        assertEquals(renewed, daemon.tls().identity().key(), "the unlocked manager presents another key");
        assertEquals(target, RootCa.digest(daemon.tls().identity().ca()));
    }
}
