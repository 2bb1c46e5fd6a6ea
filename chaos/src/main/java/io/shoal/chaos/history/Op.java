package io.shoal.chaos.history;

/**
 * One client operation. Registers ({@link Kind#READ}, {@link Kind#WRITE}, {@link Kind#CAS}) hold
 * numbers: a read returns {@code value}, a write sets {@code value}, a compare-and-set sets
 * {@code value} when the register holds {@code expected}. A set operation ({@link Kind#ADD}) adds
 * the element {@code key}. Times are nanoseconds on the history's clock; an indeterminate operation
 * keeps the time its client gave up, but checkers treat it as still open.
 *
 * @param process the client that made it (a client makes one operation at a time)
 * @param error   the refusal or failure the client got, empty when it was acknowledged
 */
public record Op(int process, Kind kind, String key, long expected, long value,
                 long invokedNs, long completedNs, Outcome outcome, String error) {

    public enum Kind { READ, WRITE, CAS, ADD }

    public static Op read(int process, String key, long value, long invokedNs, long completedNs, Outcome outcome) {
        return new Op(process, Kind.READ, key, 0, value, invokedNs, completedNs, outcome, "");
    }

    public static Op write(int process, String key, long value, long invokedNs, long completedNs, Outcome outcome) {
        return new Op(process, Kind.WRITE, key, 0, value, invokedNs, completedNs, outcome, "");
    }

    public static Op cas(int process, String key, long expected, long value, long invokedNs, long completedNs, Outcome outcome) {
        return new Op(process, Kind.CAS, key, expected, value, invokedNs, completedNs, outcome, "");
    }

    public static Op add(int process, String element, long invokedNs, long completedNs, Outcome outcome) {
        return new Op(process, Kind.ADD, element, 0, 0, invokedNs, completedNs, outcome, "");
    }

    public Op withError(String message) {
        return new Op(process, kind, key, expected, value, invokedNs, completedNs, outcome, message);
    }

    /** A write of any kind (it changes state when it takes effect). */
    public boolean writes() {
        return kind != Kind.READ;
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case READ -> "read " + key + " -> " + value;
            case WRITE -> "write " + key + " := " + value;
            case CAS -> "cas " + key + " " + expected + " -> " + value;
            case ADD -> "add " + key;
        };
        return String.format("p%d %s [%.3f s .. %.3f s] %s%s", process, what, invokedNs / 1e9, completedNs / 1e9, outcome,
                error.isEmpty() ? "" : " (" + error + ")");
    }
}
