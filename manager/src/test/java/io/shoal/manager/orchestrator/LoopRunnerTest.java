package io.shoal.manager.orchestrator;

import io.shoal.api.Node;
import io.shoal.api.Task;
import io.shoal.api.raft.StoreAction;
import io.shoal.manager.store.Batches;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.LocalProposer;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

    /**
     * A pass bigger than one entry writes each node's new tasks in one entry (so its assignments
     * stream sends them in one message), however the loops ordered them; other actions keep their
     * places, and a node's tasks their order.
     */
    @Test
    void aBigPassWritesEachNodesNewTasksInOneEntry() {
        List<String> nodes = List.of("n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8");
        List<String> created = new ArrayList<>();
        LoopRunner runner = new LoopRunner(store, writer, List.of(
                loop("orchestrator", (tx, c) -> {
                    if (!tx.tasks().isEmpty()) {
                        return List.of();
                    }
                    List<StoreAction> out = new ArrayList<>();
                    for (int s = 0; s < 4; s++) { // service by service, spread over every node: each node in every entry
                        for (int i = 0; i < 1000; i++) {
                            String id = String.format("s%d-%04d", s, i);
                            created.add(id);
                            out.add(Batches.create(StoreObjects.wrap(Task.newBuilder().setId(id).setServiceId("s" + s)
                                    .setNodeId(nodes.get(i % nodes.size())).build())));
                        }
                    }
                    out.add(create("n10")); // not a new task: keeps its place
                    return out;
                })), () -> 1000, 1000);
        runner.pass();
        assertEquals(5, store.appliedIndex(), "4,001 actions in entries of 1,000");
        Map<String, Set<Long>> entriesOfNode = new TreeMap<>();
        store.view(tx -> tx.tasks()).forEach(t -> entriesOfNode.computeIfAbsent(t.getNodeId(), k -> new TreeSet<>())
                .add(t.getMeta().getVersion()));
        assertEquals(nodes, List.copyOf(entriesOfNode.keySet()));
        // 500 tasks a node, at places 0-499, 500-999, ...: two nodes in each of the first four entries
        entriesOfNode.forEach((n, entries) -> assertEquals(1, entries.size(), n + "'s tasks came in entries " + entries));
        assertEquals(5, store.view(tx -> tx.node("n10")).orElseThrow().getMeta().getVersion(), "the last action stayed last");

        List<String> shuffled = new ArrayList<>(created);
        Collections.reverse(shuffled);
        List<StoreAction> ordered = LoopRunner.newTasksByNode(shuffled.stream().map(id -> Batches.create(StoreObjects.wrap(
                Task.newBuilder().setId(id).setNodeId(nodes.get(Integer.parseInt(id.substring(3)) % nodes.size())).build()))).toList());
        List<String> n1 = ordered.stream().map(a -> a.getObject().getTask()).filter(t -> t.getNodeId().equals("n1")).map(Task::getId).toList();
        assertEquals(shuffled.stream().filter(id -> Integer.parseInt(id.substring(3)) % nodes.size() == 0).toList(), n1,
                "a node's tasks keep their order");
        assertEquals(n1, ordered.subList(0, n1.size()).stream().map(a -> a.getObject().getTask().getId()).toList(), "and come together");
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
