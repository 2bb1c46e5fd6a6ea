package io.shoal.manager.membership;

import com.google.protobuf.ByteString;
import io.shoal.api.Cluster;
import io.shoal.api.JoinTokens;
import io.shoal.api.Node;
import io.shoal.api.NodeStatus;
import io.shoal.api.RootCA;
import io.shoal.api.RootRotation;
import io.shoal.api.RootRotationStatus;
import io.shoal.manager.ca.JoinToken;
import io.shoal.manager.ca.KeyEncryption;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.ca.RootCa;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Root CA rotation ({@code shoal ca --rotate}, docker's {@code swarm ca --rotate}), as a state in
 * the store: starting one writes the new root (its key sealed with the key-encryption key, as the
 * current root's), the new root cross-signed by the current one, and the join tokens to use
 * afterwards into {@link RootRotation}. From then on the CA issues under the new root, every node
 * learns through its session that its certificate is under another root and renews it at once,
 * and {@link RootRotationLoop} completes the rotation when every node that is not Down has.
 * Everything is in the store, so a new leader carries on where the old one was.
 */
public final class RootRotations {
    private final ClusterStore store;
    private final StoreWriter writer;
    private final ClusterCa ca;
    private final LongSupplier clock;
    private final SecureRandom random;

    public RootRotations(ClusterStore store, StoreWriter writer, ClusterCa ca, LongSupplier clock, SecureRandom random) {
        this.store = store;
        this.writer = writer;
        this.ca = ca;
        this.clock = clock;
        this.random = random;
    }

    /** Starts a rotation, or refuses while one runs. */
    public RootRotationStatus start() {
        Cluster c = store.view(ReadTx::cluster).orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
        refuseWhileRotating(c, status(store.view(tx -> tx.nodes()), c.getRootCa()));
        RootCa current = ca.currentRoot();
        RootCa next = RootCa.create(c.getId());
        RootRotation rotation = RootRotation.newBuilder()
                .setCaCertPem(Pem.encode(next.certificate()))
                .setCaKeyEncrypted(ByteString.copyFrom(KeyEncryption.encrypt(ca.kek(),
                        Pem.encode(next.privateKey()).getBytes(StandardCharsets.UTF_8))))
                .setCaDigest(next.digest())
                .setCrossSignedPem(Pem.encode(current.crossSign(next.certificate())))
                .setJoinTokens(JoinTokens.newBuilder()
                        .setWorker(JoinToken.generate(next.digest(), random).toString())
                        .setManager(JoinToken.generate(next.digest(), random).toString()))
                .setStartedMs(clock.getAsLong())
                .build();
        writer.update(tx -> {
            Cluster now = tx.cluster().orElseThrow();
            refuseWhileRotating(now, status(tx.nodes(), now.getRootCa()));
            if (!now.getRootCa().getCaDigest().equals(current.digest())) {
                throw Calls.conflict("the cluster's root changed meanwhile: try again");
            }
            Cluster.Builder b = now.toBuilder();
            b.getRootCaBuilder().setRotation(rotation);
            return List.of(Batches.update(StoreObjects.wrap(b.build())));
        });
        return status();
    }

    private static void refuseWhileRotating(Cluster c, RootRotationStatus s) {
        if (c.getRootCa().hasRotation()) {
            throw Calls.precondition("a root CA rotation is already in progress (rotated " + s.getRotated() + "/" + s.getTotal()
                    + " nodes): wait for it to finish");
        }
    }

    /** How far the rotation is, or that none runs. */
    public RootRotationStatus status() {
        return store.view(tx -> status(tx.nodes(), tx.cluster()
                .orElseThrow(() -> Calls.precondition("the cluster is not initialized yet")).getRootCa()));
    }

    static RootRotationStatus status(Collection<Node> nodes, RootCA root) {
        String target = ClusterCa.issuingDigest(root);
        int total = 0;
        int rotated = 0;
        for (Node n : nodes) {
            if (counts(n)) {
                total++;
                if (n.getTlsInfo().getCaDigest().equals(target)) {
                    rotated++;
                }
            }
        }
        return RootRotationStatus.newBuilder().setRotating(root.hasRotation()).setTargetCaDigest(target)
                .setCurrentCaDigest(root.getCaDigest()).setRotated(rotated).setTotal(total).build();
    }

    /** A node the rotation waits for: every node that is not Down (a Down node joins again afterwards, as in docker). */
    static boolean counts(Node n) {
        return n.getStatus().getState() != NodeStatus.State.DOWN;
    }

    /**
     * The root after the rotation, once every node that is not Down holds a certificate under the
     * new root; null while some does not, or when no rotation runs. The new root replaces the old
     * one, with the join tokens made for it (so tokens of the old root are refused).
     */
    static RootCA completed(Collection<Node> nodes, RootCA root) {
        if (!root.hasRotation()) {
            return null;
        }
        RootRotationStatus s = status(nodes, root);
        if (s.getRotated() < s.getTotal()) {
            return null;
        }
        RootRotation r = root.getRotation();
        return RootCA.newBuilder()
                .setCaCertPem(r.getCaCertPem())
                .setCaKeyEncrypted(r.getCaKeyEncrypted())
                .setCaDigest(r.getCaDigest())
                .setJoinTokens(r.getJoinTokens())
                .build();
    }
}
