package io.shoal.manager.store;

/** A write the store refused (conflict, missing object, name clash), with a one-line reason. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }
}
