package io.shoal.chaos.check;

import io.shoal.chaos.history.Fault;
import io.shoal.chaos.history.Op;
import io.shoal.chaos.history.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long writes stopped after each fault: from the moment a fault took hold to the completion of
 * the first acknowledged write that was invoked after it (so a write already committed before the
 * fault does not count). The figure per fault kind is the longest such window over the run.
 */
public final class Availability {

    /**
     * Per fault kind: how many, and the longest and median window (ms); {@code unrecovered} faults saw
     * no write at all; {@code slowest} is the fault of the longest window.
     */
    public record Window(String kind, int faults, long longestMs, long medianMs, int unrecovered, String slowest) {
        @Override
        public String toString() {
            return String.format("%s: %d faults, longest %d ms (%s), median %d ms without an acknowledged write%s", kind, faults,
                    longestMs, slowest, medianMs, unrecovered == 0 ? "" : ", " + unrecovered + " with none until the run ended");
        }
    }

    private Availability() {}

    public static List<Window> windows(List<Op> history, List<Fault> faults) {
        List<Op> acked = history.stream().filter(o -> o.writes() && o.outcome() == Outcome.OK).toList();
        Map<String, List<Long>> byKind = new TreeMap<>();
        Map<String, Integer> unrecovered = new TreeMap<>();
        Map<String, Fault> slowest = new TreeMap<>();
        Map<String, Long> longest = new TreeMap<>();
        for (Fault f : faults) {
            long first = Long.MAX_VALUE;
            for (Op op : acked) {
                if (op.invokedNs() >= f.startNs() && op.completedNs() < first) {
                    first = op.completedNs();
                }
            }
            if (first == Long.MAX_VALUE) {
                unrecovered.merge(f.kind(), 1, Integer::sum);
                byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>());
            } else {
                long ms = (first - f.startNs()) / 1_000_000L;
                byKind.computeIfAbsent(f.kind(), k -> new ArrayList<>()).add(ms);
                if (ms > longest.getOrDefault(f.kind(), -1L)) {
                    longest.put(f.kind(), ms);
                    slowest.put(f.kind(), f);
                }
            }
        }
        return byKind.entrySet().stream().map(e -> {
            List<Long> ms = e.getValue().stream().sorted().toList();
            int n = unrecovered.getOrDefault(e.getKey(), 0);
            Fault slow = slowest.get(e.getKey());
            return new Window(e.getKey(), ms.size() + n, ms.isEmpty() ? -1 : ms.getLast(), ms.isEmpty() ? -1 : ms.get(ms.size() / 2), n,
                    slow == null ? "" : slow.toString());
        }).toList();
    }
}
