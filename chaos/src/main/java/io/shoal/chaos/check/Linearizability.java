package io.shoal.chaos.check;

import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Is a history of register operations linearizable? A Wing-Gong-Lowe search (as in Lowe's "Testing
 * for linearizability" and porcupine): walk the calls and returns in time order, linearize a pending
 * call when the register model accepts it, backtrack when a return is reached whose call could not be
 * linearized before it, and remember every (set of linearized operations, register value) already
 * explored so no state is searched twice.
 *
 * <p>Registers are independent (linearizability is compositional), so each key is searched on its
 * own. Failed operations took no effect and are left out; reads that did not return are left out;
 * an indeterminate write may take effect at any time after its invocation or never, so its return
 * is placed after everything and the search succeeds once every acknowledged operation is placed.
 */
public final class Linearizability {

    /** The verdict for one register. {@code detail} names the operation no order could place. */
    public record Verdict(String key, Result result, int ops, long statesExplored, String detail) {
        public enum Result { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

        public boolean ok() {
            return result == Result.LINEARIZABLE;
        }

        @Override
        public String toString() {
            return key + ": " + result + " (" + ops + " ops, " + statesExplored + " states)" + (detail.isEmpty() ? "" : ": " + detail);
        }
    }

    private static final class Entry {
        final int id;
        final Op op;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(int id, Op op, boolean call, long time) {
            this.id = id;
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Explored(BitSet linearized, long value) {}

    private Linearizability() {}

    /** One verdict per register key, in the keys' order of first appearance. */
    public static List<Verdict> check(List<Op> history, long initial, long budgetMillis) {
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : history) {
            if (op.kind() != Op.Kind.ADD) {
                byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
            }
        }
        long deadline = System.nanoTime() + budgetMillis * 1_000_000L;
        List<Verdict> out = new ArrayList<>();
        byKey.forEach((key, ops) -> out.add(checkRegister(key, ops, initial, deadline)));
        return out;
    }

    /** The verdict for the operations on one register that starts at {@code initial}. */
    public static Verdict checkRegister(String key, List<Op> history, long initial, long deadlineNanos) {
        List<Op> ops = history.stream().filter(Linearizability::relevant).toList();
        Entry head = entries(ops);
        int determinate = (int) ops.stream().filter(o -> o.outcome() == Outcome.OK).count();

        BitSet linearized = new BitSet(ops.size());
        Set<Explored> explored = new HashSet<>();
        Deque<Entry> calls = new ArrayDeque<>();
        Deque<Long> values = new ArrayDeque<>();
        long value = initial;
        long states = 0;
        int bestDepth = -1;
        Op stuckAt = null;
        Entry e = head.next;
        while (determinate > 0) {
            if (++states % 4096 == 0 && System.nanoTime() > deadlineNanos) {
                return new Verdict(key, Verdict.Result.UNKNOWN, ops.size(), states, "search budget exhausted");
            }
            if (e != null && e.call) {
                long next = step(e.op, value);
                boolean accepted = next != REFUSED;
                if (accepted) {
                    BitSet with = (BitSet) linearized.clone();
                    with.set(e.id);
                    if (explored.add(new Explored(with, next))) {
                        calls.push(e);
                        values.push(value);
                        linearized.set(e.id);
                        value = next;
                        if (e.op.outcome() == Outcome.OK) {
                            determinate--;
                        }
                        lift(e);
                        e = head.next;
                        continue;
                    }
                }
                e = e.next;
            } else {
                // a return whose call is not linearized yet (or the end): undo the last choice
                if (calls.size() > bestDepth && e != null) {
                    bestDepth = calls.size();
                    stuckAt = e.op;
                }
                if (calls.isEmpty()) {
                    return new Verdict(key, Verdict.Result.NOT_LINEARIZABLE, ops.size(), states,
                            "no order places " + stuckAt + " (the longest order found explains " + bestDepth + " ops)");
                }
                Entry last = calls.pop();
                value = values.pop();
                linearized.clear(last.id);
                if (last.op.outcome() == Outcome.OK) {
                    determinate++;
                }
                unlift(last);
                e = last.next;
            }
        }
        return new Verdict(key, Verdict.Result.LINEARIZABLE, ops.size(), states, "");
    }

    private static final long REFUSED = Long.MIN_VALUE;

    /** The register model: the value after {@code op}, or {@link #REFUSED} if it cannot happen now. */
    private static long step(Op op, long value) {
        return switch (op.kind()) {
            case READ -> op.value() == value ? value : REFUSED;
            case WRITE -> op.value();
            case CAS -> op.expected() == value ? op.value() : REFUSED;
            case ADD -> throw new IllegalArgumentException("not a register operation: " + op);
        };
    }

    private static boolean relevant(Op op) {
        return switch (op.outcome()) {
            case OK -> true;
            case FAILED -> false;
            case INDETERMINATE -> op.writes();
        };
    }

    /** The calls and returns in time order (calls first on a tie), behind a sentinel head. */
    private static Entry entries(List<Op> ops) {
        List<Entry> all = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            Entry call = new Entry(i, op, true, op.invokedNs());
            long end = op.outcome() == Outcome.OK ? op.completedNs() : Long.MAX_VALUE;
            Entry ret = new Entry(i, op, false, end);
            call.match = ret;
            all.add(call);
            all.add(ret);
        }
        all.sort(Comparator.comparingLong((Entry x) -> x.time).thenComparing(x -> !x.call));
        Entry head = new Entry(-1, null, false, Long.MIN_VALUE);
        Entry prev = head;
        for (Entry x : all) {
            prev.next = x;
            x.prev = prev;
            prev = x;
        }
        return head;
    }

    private static void lift(Entry call) {
        unlink(call);
        unlink(call.match);
    }

    private static void unlink(Entry x) {
        x.prev.next = x.next;
        if (x.next != null) {
            x.next.prev = x.prev;
        }
    }

    private static void unlift(Entry call) {
        relink(call.match);
        relink(call);
    }

    private static void relink(Entry x) {
        x.prev.next = x;
        if (x.next != null) {
            x.next.prev = x;
        }
    }
}
