package io.shoal.worker.exec;

/** A container operation that failed, with a one-line reason a user can act on. */
public class ExecException extends Exception {
    public ExecException(String message) {
        super(message);
    }

    public ExecException(String message, Throwable cause) {
        super(message, cause);
    }
}
