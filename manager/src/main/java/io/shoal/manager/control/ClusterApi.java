package io.shoal.manager.control;

import io.shoal.api.Cluster;
import io.shoal.api.ClusterInfo;
import io.shoal.api.GetClusterInfoRequest;
import io.shoal.api.GetJoinTokensRequest;
import io.shoal.api.JoinTokens;
import io.shoal.api.Node;
import io.shoal.api.RotateJoinTokenRequest;
import io.shoal.api.UpdateClusterRequest;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.ca.JoinToken;
import io.shoal.manager.consensus.Consensus;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.security.UnlockKeys;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** The cluster object through the Control API: what the cluster is, its settings, and its join tokens. */
public final class ClusterApi {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClusterStore store;
    private final StoreWriter writer;
    private final Consensus consensus;
    private final LinearizableReads reads;
    /** null: this manager cannot turn autolock on or off (tests without a key-encryption key) */
    private final UnlockKeys unlockKeys;

    public ClusterApi(ClusterStore store, StoreWriter writer, Consensus consensus) {
        this(store, writer, consensus, null);
    }

    public ClusterApi(ClusterStore store, StoreWriter writer, Consensus consensus, UnlockKeys unlockKeys) {
        this.store = store;
        this.writer = writer;
        this.consensus = consensus;
        this.reads = new LinearizableReads(store, consensus);
        this.unlockKeys = unlockKeys;
    }

    private <T> T read(Function<ReadTx, T> fn) {
        return reads.read(fn);
    }

    public ClusterInfo getClusterInfo(GetClusterInfoRequest request) {
        List<Consensus.Member> members = consensus.members();
        return read(tx -> {
            Cluster c = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
            String leader = consensus.leaderId().orElse("");
            return ClusterInfo.newBuilder()
                    .setClusterId(c.getId())
                    .setLeaderNodeId(leader)
                    .setLeaderAddr(tx.node(leader).map(Node::getAdvertiseAddr).orElse(""))
                    .setManagers(members.size())
                    .setManagersReachable((int) members.stream().filter(Consensus.Member::reachable).count())
                    .setRaftIndex(consensus.appliedIndex())
                    .setNodes(tx.nodes().size())
                    .setCreatedMs(c.getMeta().getCreatedMs())
                    .setCaDigest(c.getRootCa().getCaDigest())
                    .setSpec(c.getSpec())
                    .setMeta(c.getMeta())
                    .setCaCertPem(c.getRootCa().getCaCertPem())
                    .build();
        });
    
    }

    public JoinTokens getJoinTokens(GetJoinTokensRequest request) {
        return read(tx -> tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"))
                .getRootCa().getJoinTokens());
    }

    /**
     * Changes the cluster's settings ({@code shoal cluster update}), all in one entry: the next
     * certificates use the new expiry; autolock on or off has every manager lock or unlock its key file;
     * encrypted networks' keys rotate on the new period from the next step on.
     */
    public ClusterInfo updateCluster(UpdateClusterRequest req) {
        if (!req.getSetCertExpiry() && !req.getSetAutolock() && !req.getSetNetworkKeyRotation()) {
            throw Calls.invalid("nothing to update: give --cert-expiry, --autolock or --network-key-rotation");
        }
        if (req.getSetNetworkKeyRotation()
                && req.getNetworkKeyRotationMs() < ClusterSettings.MIN_NETWORK_KEY_ROTATION.toMillis()) {
            throw Calls.invalid("--network-key-rotation: " + req.getNetworkKeyRotationMs() + "ms is too short: use at least 5s");
        }
        Duration expiry = Duration.ofMillis(req.getCertExpiryMs());
        if (req.getSetCertExpiry() && expiry.compareTo(ClusterSettings.MIN_NODE_CERT_EXPIRY) < 0) {
            throw Calls.invalid("--cert-expiry: " + expiry.toMillis() + "ms is too short: use at least 1m");
        }
        if (req.getSetAutolock() && unlockKeys == null) {
            throw Calls.precondition("this manager cannot change autolock: it holds no key-encryption key");
        }
        writer.update(tx -> {
            Cluster c = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
            Cluster.Builder cb = (req.getSetAutolock() ? unlockKeys.withAutolock(c, req.getAutolock()) : c).toBuilder();
            if (req.getSetCertExpiry()) {
                cb.getSpecBuilder().setNodeCertExpiryMs(expiry.toMillis());
            }
            if (req.getSetNetworkKeyRotation()) {
                cb.getSpecBuilder().setNetworkKeyRotationMs(req.getNetworkKeyRotationMs());
            }
            Cluster next = cb.build();
            return next.equals(c) ? List.of() : List.of(Batches.update(StoreObjects.wrap(next)));
        });
        return getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
    }

    public JoinTokens rotateJoinToken(RotateJoinTokenRequest req) {
        if (!req.getWorker() && !req.getManager()) {
            throw Calls.invalid("say which token to rotate: worker or manager");
        }
        writer.update(tx -> {
            Cluster c = tx.cluster().orElseThrow(() -> Calls.precondition("the cluster is not initialized yet"));
            Cluster.Builder cb = c.toBuilder();
            String digest = c.getRootCa().getCaDigest();
            var tokens = cb.getRootCaBuilder().getJoinTokensBuilder();
            if (req.getWorker()) {
                tokens.setWorker(JoinToken.generate(digest, RANDOM).toString());
            }
            if (req.getManager()) {
                tokens.setManager(JoinToken.generate(digest, RANDOM).toString());
            }
            if (c.getRootCa().hasRotation()) { // the tokens the rotation installs when it completes change too
                var after = cb.getRootCaBuilder().getRotationBuilder().getJoinTokensBuilder();
                String next = c.getRootCa().getRotation().getCaDigest();
                if (req.getWorker()) {
                    after.setWorker(JoinToken.generate(next, RANDOM).toString());
                }
                if (req.getManager()) {
                    after.setManager(JoinToken.generate(next, RANDOM).toString());
                }
            }
            return List.of(Batches.update(StoreObjects.wrap(cb.build())));
        });
        return store.view(tx -> tx.cluster().orElseThrow().getRootCa().getJoinTokens());
    
    }
}
