package io.shoal.manager.membership;

import io.shoal.api.Cluster;
import io.shoal.api.RootCA;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.orchestrator.Reconciler;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;

import java.util.List;

/**
 * The leader's loop that completes a root CA rotation: when every node that is not Down holds a
 * certificate under the new root, the new root replaces the old one in the cluster object (with its
 * join tokens) and the rotation is cleared; nodes then trust the new root alone. Built from the
 * store alone, so a leader elected during a rotation completes it.
 */
public final class RootRotationLoop implements Reconciler {
    @Override
    public String name() {
        return "root-rotation";
    }

    @Override
    public List<StoreAction> reconcile(ReadTx tx, long nowMs) {
        Cluster c = tx.cluster().orElse(null);
        if (c == null || !c.getRootCa().hasRotation()) {
            return List.of();
        }
        RootCA done = RootRotations.completed(tx.nodes(), c.getRootCa());
        return done == null ? List.of() : List.of(Batches.update(StoreObjects.wrap(c.toBuilder().setRootCa(done).build())));
    }
}
