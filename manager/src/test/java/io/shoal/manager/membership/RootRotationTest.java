package io.shoal.manager.membership;

import com.google.protobuf.ByteString;
import io.shoal.api.Cluster;
import io.shoal.api.JoinTokens;
import io.shoal.api.Node;
import io.shoal.api.NodeRole;
import io.shoal.api.NodeStatus;
import io.shoal.api.RootCA;
import io.shoal.api.RootRotationStatus;
import io.shoal.manager.ca.JoinToken;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.orchestrator.LoopRunner;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The root rotation as a state in the store, over an in-memory store: started (refused while one
 * runs), certificates issued under the new root with the cross-signed root in their chain, and
 * completed by the leader's loop only when every node that is not Down renewed; then the new root
 * and its join tokens replace the old ones.
 */
class RootRotationTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ClusterStore store = new ClusterStore();
    private final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1000));
    private final byte[] kek = KeyEncryption.newKey();
    private final RootCa root = RootCa.create("c1");
    private final ClusterCa ca = new ClusterCa(store, kek);
    private final RootRotations rotations = new RootRotations(store, writer, ca, () -> 5000, RANDOM);
    private final LoopRunner loop = new LoopRunner(store, writer, List.of(new RootRotationLoop()), () -> 5000, 1000);

    RootRotationTest() {
        Cluster c = Cluster.newBuilder().setId("c1").setRootCa(RootCA.newBuilder()
                .setCaCertPem(Pem.encode(root.certificate()))
                .setCaKeyEncrypted(ByteString.copyFrom(KeyEncryption.encrypt(kek, Pem.encode(root.privateKey()).getBytes(StandardCharsets.UTF_8))))
                .setCaDigest(root.digest())
                .setJoinTokens(JoinTokens.newBuilder().setWorker(JoinToken.generate(root.digest(), RANDOM).toString())
                        .setManager(JoinToken.generate(root.digest(), RANDOM).toString()))).build();
        writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(c))));
        for (String id : List.of("n1", "n2", "n3")) {
            NodeStatus.State state = id.equals("n3") ? NodeStatus.State.DOWN : NodeStatus.State.READY;
            Node n = Node.newBuilder().setId(id).setStatus(NodeStatus.newBuilder().setState(state)).build();
            writer.update(tx -> List.of(Batches.create(StoreObjects.wrap(n))));
            renew(id);
        }
    }

    /** What NodeCaService does when a node renews: issue, and record what it holds. */
    private ClusterCa.Issued renew(String nodeId) {
        ClusterCa.Issued issued = ca.issue(NodeKeys.csr(NodeKeys.generate(), nodeId), nodeId, NodeRole.NODE_ROLE_WORKER, "c1", "10.0.0.1");
        writer.update(tx -> List.of(Batches.update(StoreObjects.wrap(tx.node(nodeId).orElseThrow().toBuilder()
                .setTlsInfo(TlsInfos.of(issued.cert(), issued.issuerDigest())).build()))));
        return issued;
    }

    private RootCA rootCa() {
        return store.view(tx -> tx.cluster()).orElseThrow().getRootCa();
    }

    @Test
    void aRotationCompletesWhenEveryNodeThatIsNotDownHoldsACertificateUnderTheNewRoot() throws Exception {
        JoinTokens before = rootCa().getJoinTokens();
        RootRotationStatus started = rotations.start();
        assertTrue(started.getRotating());
        assertEquals(root.digest(), started.getCurrentCaDigest());
        assertNotEquals(root.digest(), started.getTargetCaDigest());
        assertEquals(0, started.getRotated());
        assertEquals(2, started.getTotal(), "the Down node is not waited for");
        String target = started.getTargetCaDigest();

        ClusterCa.Issued n1 = renew("n1");
        assertEquals(target, n1.issuerDigest());
        List<X509Certificate> chain = Pem.parseCertificates(n1.chainPem());
        assertEquals(2, chain.size(), "the leaf and the new root cross-signed by the old one");
        chain.get(1).verify(root.certificate().getPublicKey());
        chain.get(0).verify(chain.get(1).getPublicKey());
        assertEquals(2, Pem.parseCertificates(ca.trustedRootsPem()).size(), "both roots are trusted during the rotation");
        assertEquals("Needs Rotation", TlsInfos.status(store.view(tx -> tx.node("n2")).orElseThrow().getTlsInfo(),
                ClusterCa.issuingDigest(rootCa()), System.currentTimeMillis()));

        loop.pass();
        assertTrue(rootCa().hasRotation(), "n2 has not renewed yet");
        assertEquals(1, rotations.status().getRotated());
        assertEquals(before, rootCa().getJoinTokens(), "the old tokens stand until the rotation completes");

        renew("n2");
        loop.pass();
        RootCA after = rootCa();
        assertFalse(after.hasRotation());
        assertEquals(target, after.getCaDigest());
        assertEquals(1, Pem.parseCertificates(ca.trustedRootsPem()).size(), "only the new root is trusted afterwards");
        assertEquals(target, JoinToken.parse(after.getJoinTokens().getWorker()).caDigest());
        assertEquals(target, JoinToken.parse(after.getJoinTokens().getManager()).caDigest());
        assertFalse(after.getJoinTokens().getWorker().equals(before.getWorker()));
        RootRotationStatus done = rotations.status();
        assertFalse(done.getRotating());
        assertEquals(2, done.getRotated());

        ClusterCa.Issued later = renew("n1");
        assertEquals(1, Pem.parseCertificates(later.chainPem()).size(), "no cross-signed certificate once the rotation is over");
        later.cert().verify(Pem.parseCertificate(after.getCaCertPem()).getPublicKey());
    }

    @Test
    void aSecondRotationIsRefusedWhileOneRunsAndNothingChanges() {
        rotations.start();
        RootCA during = rootCa();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, rotations::start);
        assertEquals("FAILED_PRECONDITION: a root CA rotation is already in progress (rotated 0/2 nodes): wait for it to finish",
                e.getMessage());
        assertEquals(during, rootCa());
    }

    @Test
    void aNewLeaderCompletesARotationFromTheStoreAlone() {
        rotations.start();
        renew("n1");
        renew("n2");
        // another manager's loop, built from the same store, with nothing handed over
        new LoopRunner(store, writer, List.of(new RootRotationLoop()), () -> 9000, 1000).pass();
        assertFalse(rootCa().hasRotation());
    }

    @Test
    void withoutARotationTheTargetIsTheCurrentRoot() {
        RootRotationStatus s = rotations.status();
        assertFalse(s.getRotating());
        assertEquals(root.digest(), s.getTargetCaDigest());
        assertEquals(root.digest(), s.getCurrentCaDigest());
        assertEquals(2, s.getRotated());
        assertEquals(1, Pem.parseCertificates(renew("n1").chainPem()).size());
    }
}
