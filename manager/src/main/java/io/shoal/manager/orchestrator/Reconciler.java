package io.shoal.manager.orchestrator;

import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.ReadTx;

import java.util.List;

/**
 * One control loop's decision step: look at the store, say what to write. Pure given the view
 * and the injected clock, so a simulation can drive every loop single-threaded and check
 * invariants after each step; {@link LoopRunner} runs it on the leader, woken by store events.
 */
public interface Reconciler {
    String name();

    /** The writes that move the cluster toward what was declared; empty when nothing is to do. */
    List<StoreAction> reconcile(ReadTx tx, long nowMs);

    /**
     * The same decisions, looking only at what {@code changes} touch where the loop can tell; the
     * result must equal what {@link #reconcile(ReadTx, long)} would write for those parts. The
     * default looks at everything.
     */
    default List<StoreAction> reconcile(ReadTx tx, long nowMs, Changes changes) {
        return reconcile(tx, nowMs);
    }
}
