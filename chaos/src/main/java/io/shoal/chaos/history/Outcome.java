package io.shoal.chaos.history;

/** How an operation ended, as the client saw it. */
public enum Outcome {
    /** Acknowledged: it took effect (a write) or returned a value (a read). */
    OK,
    /** Refused with a definite answer (a failed compare-and-set, an invalid request): it took no effect. */
    FAILED,
    /** A timeout or a lost connection: it may or may not have taken effect, at any time after its invocation. */
    INDETERMINATE
}
