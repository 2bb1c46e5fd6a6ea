package io.shoal.manager.store;

import io.shoal.api.raft.StoreObject;

/** The kinds of stored objects, one per case of {@link StoreObject}. */
public enum ObjectKind {
    NODE(StoreObject.ObjectCase.NODE),
    SERVICE(StoreObject.ObjectCase.SERVICE),
    TASK(StoreObject.ObjectCase.TASK),
    NETWORK(StoreObject.ObjectCase.NETWORK),
    SECRET(StoreObject.ObjectCase.SECRET),
    CONFIG(StoreObject.ObjectCase.CONFIG),
    CLUSTER(StoreObject.ObjectCase.CLUSTER);

    /** values() copies the array on every call; this is looked up for every object the store touches. */
    private static final ObjectKind[] ALL = values();

    private final StoreObject.ObjectCase objectCase;

    ObjectKind(StoreObject.ObjectCase c) {
        this.objectCase = c;
    }

    public static ObjectKind of(StoreObject.ObjectCase c) {
        for (ObjectKind k : ALL) {
            if (k.objectCase == c) {
                return k;
            }
        }
        throw new IllegalArgumentException("empty store object");
    }

    /** Kinds whose names (spec.annotations.name) must be unique. */
    public boolean uniqueNames() {
        return this == SERVICE || this == NETWORK || this == SECRET || this == CONFIG;
    }

    public String word() {
        return name().toLowerCase();
    }
}
