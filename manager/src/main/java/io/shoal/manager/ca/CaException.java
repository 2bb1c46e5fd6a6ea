package io.shoal.manager.ca;

/** A certificate operation that failed, with a one-line reason. */
public class CaException extends IllegalArgumentException {
    public CaException(String message) {
        super(message);
    }

    public CaException(String message, Throwable cause) {
        super(message, cause);
    }
}
