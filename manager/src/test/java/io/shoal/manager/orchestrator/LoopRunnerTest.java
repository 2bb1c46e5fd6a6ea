package io.shoal.manager.orchestrator;

import io.shoal.api.Node;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoopRunnerTest {
    private final ClusterStore store = new ClusterStore();
    private final StoreWriter writer = new StoreWriter(store, new LocalProposer(store, () -> 1000));
    private final List<Long> indexes = new ArrayList<>();

    private Reconciler loop(String name, BiFunction<ReadTx, Changes, List<StoreAction>> fn) {
        return new Reconciler() {
            @Override public String name() { return name; }
            @Override public List<StoreAction> reconcile(ReadTx tx, long nowMs) { return fn.apply(tx, Changes.ALL); }
            @Override public List<StoreAction> reconcile(ReadTx tx, long nowMs, Changes changes) { return fn.apply(tx, changes); }
        };
    }

    private static StoreAction create(String id) {
        return Batches.create(StoreObjects.wrap(Node.newBuilder().setId(id).build()));
    }

    /** A later loop sees what an earlier one decided in the same pass, and the pass is one write. */
    @Test
    void aPassIsOneWriteAndLaterLoopsSeeEarlierDecisions() {
        List<String> seen = new ArrayList<>();
        List<Set<String>> changed = new ArrayList<>();
        LoopRunner runner = new LoopRunner(store, writer, List.of(
                loop("first", (tx, c) -> tx.node("a").isPresent() ? List.of() : List.of(create("a"))),
                loop("second", (tx, c) -> {
                    seen.add("a " + (tx.node("a").isPresent() ? "seen" : "missing"));
                    changed.add(c.nodes());
                    return tx.node("b").isPresent() ? List.of() : List.of(create("b"));
                })), () -> 1000, 1000);
        runner.pass(new Changes(false, Set.of(), Set.of("x")));
        assertEquals(List.of("a seen"), seen, "the second loop saw node a");
        assertEquals(List.of(Set.of("a", "x")), changed, "and its creation as a change, with the pass's own");
        assertEquals(1, store.appliedIndex(), "both creations in one entry");
        assertEquals(2, (int) store.view(tx -> tx.nodes().size()));
    }

    /** A loop whose write the store refuses does not hold back the others: the pass is written loop by loop. */
    @Test
    void aRefusedWriteFallsBackToOneWritePerLoop() {
        LoopRunner runner = new LoopRunner(store, writer, List.of(
                loop("broken", (tx, c) -> List.of(Batches.update(StoreObjects.wrap(Node.newBuilder().setId("ghost").build())))),
                loop("fine", (tx, c) -> tx.node("b").isPresent() ? List.of() : List.of(create("b")))), () -> 1000, 1000);
        runner.pass();
        assertEquals(List.of("b"), store.view(tx -> tx.nodes().stream().map(Node::getId).toList()));
    }
}
