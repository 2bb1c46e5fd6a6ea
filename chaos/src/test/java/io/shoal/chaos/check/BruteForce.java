package io.shoal.chaos.check;

import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;

import java.util.ArrayList;
import java.util.List;

/**
 * The definition, searched naively for small histories: some order of the acknowledged operations
 * and of any subset of the indeterminate writes is legal for the register and respects real time
 * (an operation that returned before another was invoked comes first).
 */
final class BruteForce {
    private BruteForce() {}

    static boolean linearizable(List<Op> history, long initial) {
        List<Op> ops = new ArrayList<>();
        for (Op op : history) {
            if (op.outcome() == Outcome.OK || (op.outcome() == Outcome.INDETERMINATE && op.writes())) {
                ops.add(op);
            }
        }
        return search(ops, new boolean[ops.size()], initial);
    }

    private static boolean search(List<Op> ops, boolean[] used, long value) {
        boolean allAcked = true;
        for (int i = 0; i < ops.size(); i++) {
            if (!used[i] && ops.get(i).outcome() == Outcome.OK) {
                allAcked = false;
            }
        }
        if (allAcked) {
            return true;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (used[i] || !minimal(ops, used, i)) {
                continue;
            }
            Op op = ops.get(i);
            long next;
            switch (op.kind()) {
                case READ -> next = op.value() == value ? value : Long.MIN_VALUE;
                case WRITE -> next = op.value();
                default -> next = op.expected() == value ? op.value() : Long.MIN_VALUE;
            }
            if (next == Long.MIN_VALUE) {
                continue;
            }
            used[i] = true;
            boolean ok = search(ops, used, next);
            used[i] = false;
            if (ok) {
                return true;
            }
        }
        return false;
    }

    /** No unplaced acknowledged operation returned before op i was invoked. */
    private static boolean minimal(List<Op> ops, boolean[] used, int i) {
        for (int j = 0; j < ops.size(); j++) {
            if (!used[j] && j != i && ops.get(j).outcome() == Outcome.OK && ops.get(j).completedNs() < ops.get(i).invokedNs()) {
                return false;
            }
        }
        return true;
    }
}
