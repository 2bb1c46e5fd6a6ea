package io.shoal.chaos.check;

import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The set check, on the adds of a history and the set read once the cluster converged: every
 * acknowledged add is present (none {@code lost}); nothing is present that no client attempted
 * ({@code unexpected}) or that was refused with a definite answer ({@code refusedButPresent}).
 * Indeterminate adds may be present or not.
 */
public final class SetCheck {

    public record Verdict(int attempted, int acknowledged, int refused, int indeterminate, int indeterminatePresent,
                          List<String> lost, List<String> unexpected, List<String> refusedButPresent) {
        public boolean ok() {
            return lost.isEmpty() && unexpected.isEmpty() && refusedButPresent.isEmpty();
        }

        @Override
        public String toString() {
            return String.format("set: %d attempted, %d acknowledged, %d refused, %d indeterminate (%d of them present); "
                            + "lost %s, unexpected %s, refused but present %s",
                    attempted, acknowledged, refused, indeterminate, indeterminatePresent, lost, unexpected, refusedButPresent);
        }
    }

    private SetCheck() {}

    /** {@code present}: the elements read at the end (only those the clients could have added, e.g. by prefix). */
    public static Verdict check(List<Op> history, Set<String> present) {
        Map<String, Outcome> adds = new HashMap<>();
        for (Op op : history) {
            if (op.kind() == Op.Kind.ADD) {
                // an element is added by one client once; should a client retry it, the best outcome counts
                adds.merge(op.key(), op.outcome(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        List<String> lost = new ArrayList<>();
        List<String> refusedButPresent = new ArrayList<>();
        int ok = 0;
        int refused = 0;
        int unknown = 0;
        int unknownPresent = 0;
        for (var e : adds.entrySet()) {
            boolean there = present.contains(e.getKey());
            switch (e.getValue()) {
                case OK -> {
                    ok++;
                    if (!there) {
                        lost.add(e.getKey());
                    }
                }
                case FAILED -> {
                    refused++;
                    if (there) {
                        refusedButPresent.add(e.getKey());
                    }
                }
                case INDETERMINATE -> {
                    unknown++;
                    if (there) {
                        unknownPresent++;
                    }
                }
            }
        }
        Set<String> unexpected = new TreeSet<>(present);
        unexpected.removeAll(adds.keySet());
        lost.sort(null);
        refusedButPresent.sort(null);
        return new Verdict(adds.size(), ok, refused, unknown, unknownPresent, lost, List.copyOf(unexpected), refusedButPresent);
    }
}
