package io.shoal.manager.consensus;

/** A replicated-log operation that did not complete: no leader, lost quorum, or a timeout. */
public class ConsensusException extends RuntimeException {
    public ConsensusException(String message) {
        super(message);
    }

    public ConsensusException(String message, Throwable cause) {
        super(message, cause);
    }
}
