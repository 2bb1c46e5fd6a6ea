package io.shoal.manager.network;

import io.shoal.api.Cluster;
import io.shoal.api.Network;
import io.shoal.api.NetworkKey;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.ClusterSettings;
import io.shoal.manager.orchestrator.Reconciler;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The leader's loop that rotates the keys of encrypted networks on the cluster's period
 * ({@link ClusterSettings#networkKeyRotation}), each step as {@link KeyRotation} says. New keys are
 * sealed with the cluster's data key as the first one is; the dispatcher sends each node the
 * network's keys again with the change. Built from the store alone: a new leader goes on with the
 * keys' stored creation times. A manager that cannot open the data key (it holds no key-encryption
 * key) writes nothing.
 */
public final class NetworkKeyLoop implements Reconciler {
    private final SecretCipher cipher;
    private final RandomGenerator ids;

    public NetworkKeyLoop(SecretCipher cipher) {
        this(cipher, new SecureRandom());
    }

    public NetworkKeyLoop(SecretCipher cipher, RandomGenerator ids) {
        this.cipher = cipher;
        this.ids = ids;
    }

    @Override
    public String name() {
        return "network-keys";
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        Cluster cluster = tx.cluster().orElse(null);
        if (cluster == null || cluster.getDataKey().isEmpty() || !cipher.canOpen()) {
            return List.of();
        }
        Duration period = ClusterSettings.networkKeyRotation(cluster.getSpec());
        List<Network> networks = tx.networks();
        Set<Integer> used = NetworkKeys.used(networks);
        List<StoreAction> out = new ArrayList<>();
        for (Network n : networks) {
            if (!n.getSpec().getEncrypted()) {
                continue;
            }
            List<KeyRotation.Key> held = n.getKeysList().stream()
                    .map(k -> new KeyRotation.Key(k.getId(), k.getPrimary(), k.getCreatedMs())).toList();
            List<NetworkKey> keys = switch (KeyRotation.next(held, nowMs, period)) {
                case KeyRotation.Step.Wait w -> null;
                case KeyRotation.Step.First f -> add(n.getKeysList(), mint(cluster, n, used, true, nowMs));
                case KeyRotation.Step.Stage s -> add(n.getKeysList(), mint(cluster, n, used, false, nowMs));
                case KeyRotation.Step.Rotate r -> {
                    List<NetworkKey> kept = new ArrayList<>();
                    for (NetworkKey k : n.getKeysList()) {
                        if (k.getId() == r.retire()) {
                            kept.add(k.toBuilder().setPrimary(false).build());
                        } else if (k.getId() == r.promote()) {
                            kept.add(k.toBuilder().setPrimary(true).build());
                        }
                    }
                    yield add(kept, mint(cluster, n, used, false, nowMs));
                }
            };
            if (keys != null) {
                out.add(Batches.update(StoreObjects.wrap(n.toBuilder().clearKeys().addAllKeys(keys).build())));
            }
        }
        return out;
    }

    private NetworkKey mint(Cluster cluster, Network n, Set<Integer> used, boolean primary, long nowMs) {
        NetworkKey k = NetworkKeys.newKey(cluster, n.getId(), used, cipher, ids, primary, nowMs);
        used.add(k.getId());
        return k;
    }

    private static List<NetworkKey> add(List<NetworkKey> keys, NetworkKey k) {
        List<NetworkKey> out = new ArrayList<>(keys);
        out.add(k);
        return out;
    }
}
