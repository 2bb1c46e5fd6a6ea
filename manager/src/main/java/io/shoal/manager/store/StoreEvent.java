package io.shoal.manager.store;

import io.shoal.api.raft.StoreObject;

/**
 * One change to the store. {@code before} is null for CREATE, {@code after} null for REMOVE; a
 * RESET (the whole state was replaced from a snapshot) carries neither: re-list everything.
 */
public record StoreEvent(Type type, long index, StoreObject before, StoreObject after) {
    public enum Type { CREATE, UPDATE, REMOVE, RESET }
}
