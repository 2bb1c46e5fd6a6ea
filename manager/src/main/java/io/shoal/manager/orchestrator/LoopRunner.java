package io.shoal.manager.orchestrator;

import io.shoal.api.raft.StoreAction;
import io.shoal.manager.consensus.ConsensusException;
import io.shoal.manager.store.Bursts;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ObjectKind;
import io.shoal.manager.store.ReadTx;
import io.shoal.manager.store.StagedTx;
import io.shoal.manager.store.StoreEvent;
import io.shoal.manager.store.StoreException;
import io.shoal.manager.store.StoreObjects;
import io.shoal.manager.store.StoreWriter;
import io.shoal.manager.store.Watch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Runs reconcilers on the leader: after every burst of store changes (and at least every
 * {@code periodMs}, for time-based decisions) each reconciler looks at the store and its writes
 * are proposed as one batch. Loops never call each other; they meet only in the store.
 */
public final class LoopRunner {
    private static final Logger LOG = LoggerFactory.getLogger(LoopRunner.class);
    /** Most actions in one Raft entry: a big pass (e.g. 10,000 new tasks) goes in several, proposed together. */
    static final int MAX_PER_ENTRY = 1_000;
    /**
     * A burst of changes ends after this long without a change (see {@link Bursts}): long enough
     * for a client's next call to land in the same pass (a `service create` after another takes
     * 3-6 ms here), so that ten services created one after another are placed in one pass, and
     * each node gets one assignments message for them instead of one per pass. At 5 ms, most
     * such rounds took two to four passes (docs/benchmarks.md). A lone change waits this long.
     */
    static final long QUIET_MS = 10;
    /** A burst of changes is gathered for at most this long before the next pass. */
    private static final long MAX_GATHER_MS = 50;

    private final ClusterStore store;
    private final StoreWriter writer;
    private final List<Reconciler> loops;
    private final LongSupplier clock;
    private final long periodMs;
    private final Map<String, Stats> stats = new ConcurrentHashMap<>();
    private volatile Thread thread;

    /** What one loop did on this manager since it started (metrics): passes, actions written, time spent. */
    public record Stats(LongAdder passes, LongAdder writes,
                        LongAdder nanos) {
        Stats() {
            this(new LongAdder(), new LongAdder(),
                    new LongAdder());
        }
    }

    /** Per loop name. */
    public Map<String, Stats> stats() {
        loops.forEach(r -> stats.computeIfAbsent(r.name(), k -> new Stats()));
        return Collections.unmodifiableMap(stats);
    }

    public LoopRunner(ClusterStore store, StoreWriter writer, List<Reconciler> loops, LongSupplier clock, long periodMs) {
        this.store = store;
        this.writer = writer;
        this.loops = List.copyOf(loops);
        this.clock = clock;
        this.periodMs = periodMs;
    }

    public synchronized void run() {
        if (thread == null) {
            // a platform thread: the loops compute for long stretches, and on a virtual thread they
            // queued behind (and held up) the dispatcher's many stream threads on the few carriers
            thread = Thread.ofPlatform().daemon().name("control-loops").unstarted(this::loop);
            thread.start(); // after the assignment: the loop runs while it is the runner's thread
        }
    }

    public synchronized void stop() {
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    /**
     * Incremental passes after each burst; a full pass at least every {@code periodMs}, or ten
     * times as long as the last full pass took if that is longer.
     */
    private void loop() {
        Thread self = Thread.currentThread();
        // stop() interrupts the thread, but a write blocked in Raft's client may swallow the interrupt
        BooleanSupplier stopped = () -> self.isInterrupted() || thread != self;
        try (Watch w = store.watch()) {
            Bursts bursts = Bursts.of(w, QUIET_MS, MAX_GATHER_MS);
            Changes changes = Changes.ALL;
            long lastFull = 0;
            long fullEvery = periodMs;
            while (!stopped.getAsBoolean()) {
                if (changes.all()) {
                    lastFull = clock.getAsLong();
                    long t0 = System.nanoTime();
                    pass(changes, stopped);
                    // a full pass looks at every task: in a big cluster it runs less often, so it
                    // never takes more than a tenth of the loops' time
                    fullEvery = Math.max(periodMs, 10 * (System.nanoTime() - t0) / 1_000_000);
                } else {
                    pass(changes, stopped);
                }
                Changes.Gatherer g = new Changes.Gatherer();
                for (StoreEvent e : bursts.next(periodMs)) {
                    g.add(e); // the burst: one pass covers all of it
                }
                // at least every period a full pass, for time-based decisions (restart delays, Down grace)
                changes = clock.getAsLong() - lastFull >= fullEvery ? Changes.ALL : g.changes();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One full pass of every loop, in order. Visible for tests. */
    public void pass() {
        pass(Changes.ALL);
    }

    /**
     * One pass of every loop, in order, over what {@code changes} touch, written as one write: each
     * loop decides on top of the writes of the loops before it ({@link StagedTx}), and sees what
     * they touched as changes too, so that a service's new tasks are created, given addresses and
     * placed in one Raft entry (of at most {@link #MAX_PER_ENTRY} actions; a bigger pass goes in
     * several). When that write is refused for any reason but a conflict, the loops write one by
     * one instead, so that one loop's refused write does not hold back the others.
     */
    public void pass(Changes changes) {
        pass(changes, () -> Thread.currentThread().isInterrupted());
    }

    private void pass(Changes changes, BooleanSupplier stopped) {
        long t0 = System.nanoTime();
        long[] decided = new long[1];
        long[] copied = new long[1];
        long[] each = new long[loops.size()];
        int[] n = new int[1];
        try {
            Function<ReadTx, List<StoreAction>> fn = tx -> {
                copied[0] = System.nanoTime();
                StagedTx staged = new StagedTx(tx);
                Changes c = changes;
                for (int i = 0; i < loops.size(); i++) {
                    Reconciler r = loops.get(i);
                    long d0 = System.nanoTime();
                    List<StoreAction> actions = decide(r, staged, c);
                    each[i] = System.nanoTime() - d0;
                    Changes.Gatherer touched = new Changes.Gatherer();
                    for (StoreEvent e : staged.stage(actions)) {
                        ObjectKind k = StoreObjects.kind(e.after() != null ? e.after() : e.before());
                        if (k == ObjectKind.TASK || k == ObjectKind.SERVICE || k == ObjectKind.NODE) {
                            touched.add(e); // other kinds' changes reach the loops through the store's events
                        }
                    }
                    c = c.plus(touched.changes());
                }
                decided[0] = System.nanoTime();
                List<StoreAction> all = newTasksByNode(staged.actions());
                n[0] = all.size();
                return all;
            };
            if (light(changes)) {
                writer.update(fn, MAX_PER_ENTRY);
            } else {
                writer.updateDetached(fn, MAX_PER_ENTRY);
            }
        } catch (ConsensusException e) {
            LOG.warn("loops: {}", e.getMessage());
            return;
        } catch (StoreException e) {
            if (stopped.getAsBoolean()) {
                return; // stopped (leadership lost): no more writes from here
            }
            LOG.warn("loops: the pass's write was refused ({}); writing loop by loop", e.getMessage());
            passOneByOne(changes, stopped);
            return;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (n[0] >= 100 || ms >= 200) { // bulk decisions and slow passes are worth a line
            StringBuilder per = new StringBuilder();
            for (int i = 0; i < loops.size(); i++) {
                per.append(i == 0 ? "" : ", ").append(loops.get(i).name()).append(' ').append(each[i] / 1_000_000);
            }
            LOG.info("loops: {} writes in {} ms: {} ms to copy the store, {} ms to decide ({}), {} ms to commit ({} pass)", n[0], ms,
                    (copied[0] - t0) / 1_000_000, (decided[0] - copied[0]) / 1_000_000, per, (System.nanoTime() - decided[0]) / 1_000_000,
                    changes.all() ? "full" : "incremental");
        }
    }

    /**
     * The pass's new tasks ordered by their node, in the places new tasks hold among the actions
     * (every other action keeps its place, and a node's tasks keep their order), when the pass
     * takes more than one entry. The orchestrators create a service's tasks together and the spread
     * puts them on every node, so each entry of {@link #MAX_PER_ENTRY} reached about as many nodes
     * and a node got its new tasks from every entry: one assignments message each (and one status
     * report back). Grouped, a node's new tasks come in one entry, so in one message. New tasks
     * depend on no other action of the pass but their service's, which exists already, so their
     * order among themselves does not change what applies.
     */
    static List<StoreAction> newTasksByNode(List<StoreAction> actions) {
        if (actions.size() <= MAX_PER_ENTRY) {
            return actions;
        }
        List<Integer> places = new ArrayList<>();
        List<StoreAction> created = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            StoreAction a = actions.get(i);
            if (a.getKind() == StoreAction.Kind.CREATE && a.getObject().hasTask()) {
                places.add(i);
                created.add(a);
            }
        }
        created.sort(Comparator.comparing(a -> a.getObject().getTask().getNodeId())); // stable: a node's tasks keep their order
        List<StoreAction> out = new ArrayList<>(actions);
        for (int k = 0; k < places.size(); k++) {
            out.set(places.get(k), created.get(k));
        }
        return out;
    }

    /**
     * A pass over reported progress and node states only (most passes under a stream of status
     * reports): the loops look at little, so they decide on the store itself. Copying it costs
     * O(objects), ~40 ms per pass at 100,000 tasks, which is worth it only when they look at much.
     */
    static boolean light(Changes changes) {
        return !changes.all() && changes.services().isEmpty() && changes.nodes().isEmpty();
    }

    /** One loop's decisions on {@code tx}, counted in its stats; none when it fails. */
    private List<StoreAction> decide(Reconciler r, ReadTx tx, Changes changes) {
        long t0 = System.nanoTime();
        try {
            List<StoreAction> actions = r.reconcile(tx, clock.getAsLong(), changes);
            Stats st = stats.computeIfAbsent(r.name(), k -> new Stats());
            st.passes().increment();
            st.writes().add(actions.size());
            st.nanos().add(System.nanoTime() - t0);
            return actions;
        } catch (RuntimeException e) {
            LOG.error("{} failed", r.name(), e);
            return List.of();
        }
    }

    /** Each loop decides on the store as it is and writes on its own. */
    private void passOneByOne(Changes changes, BooleanSupplier stopped) {
        for (Reconciler r : loops) {
            if (stopped.getAsBoolean()) {
                return;
            }
            try {
                writer.updateDetached(tx -> decide(r, tx, changes), MAX_PER_ENTRY);
            } catch (StoreException | ConsensusException e) {
                LOG.warn("{}: {}", r.name(), e.getMessage());
            }
        }
    }
}
