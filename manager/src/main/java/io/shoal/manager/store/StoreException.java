package io.shoal.manager.store;

import io.shoal.api.raft.ApplyResult;
import io.shoal.api.raft.ApplyResult.Refusal;

/**
 * A write the store refused, with a one-line reason for people; its type says why, as swarmkit's
 * {@code ErrExist} and {@code ErrNotExist} do: {@link Conflict} (another writer got there first:
 * read again and retry), {@link Exists}, {@link NotFound}, {@link NameInUse}, {@link Invalid},
 * {@link BrokenReference}.
 * A plain {@code StoreException} is a refusal of no known kind (or a write that could not be made).
 */
public class StoreException extends RuntimeException {
    private final Refusal refusal;

    public StoreException(String message) {
        this(Refusal.NONE, message);
    }

    private StoreException(Refusal refusal, String message) {
        super(message);
        this.refusal = refusal;
    }

    /** Why the store refused the write; {@link Refusal#NONE} when not known. */
    public Refusal refusal() {
        return refusal;
    }

    /** The exception for a refused apply result. */
    public static StoreException of(ApplyResult result) {
        return of(refusal(result), result.getError());
    }

    /** The exception of {@code refusal}'s type with {@code message}. */
    public static StoreException of(Refusal refusal, String message) {
        return switch (refusal) {
            case CONFLICT -> new Conflict(message);
            case EXISTS -> new Exists(message);
            case NOT_FOUND -> new NotFound(message);
            case NAME_IN_USE -> new NameInUse(message);
            case INVALID -> new Invalid(message);
            case REFERENCE -> new BrokenReference(message);
            case NONE, UNRECOGNIZED -> new StoreException(message);
        };
    }

    /**
     * Why a batch was refused. A manager that predates {@link ApplyResult#getRefusal} (a cluster in
     * the middle of a rolling upgrade) sends only the message; only a conflict matters then (it is
     * retried), and its message has always started with "update conflict".
     */
    public static Refusal refusal(ApplyResult result) {
        if (result.getOk()) {
            return Refusal.NONE;
        }
        if (result.getRefusal() == Refusal.NONE && result.getError().startsWith(Conflict.PREFIX)) {
            return Refusal.CONFLICT;
        }
        return result.getRefusal();
    }

    /** An action expected another version of its object: another writer got there first. */
    public static final class Conflict extends StoreException {
        static final String PREFIX = "update conflict";

        public Conflict(String message) {
            super(Refusal.CONFLICT, message);
        }
    }

    /** A create of an id that exists already. */
    public static final class Exists extends StoreException {
        public Exists(String message) {
            super(Refusal.EXISTS, message);
        }
    }

    /** An update or remove of an id that does not exist. */
    public static final class NotFound extends StoreException {
        public NotFound(String message) {
            super(Refusal.NOT_FOUND, message);
        }
    }

    /** A name another object of the kind holds. */
    public static final class NameInUse extends StoreException {
        public NameInUse(String message) {
            super(Refusal.NAME_IN_USE, message);
        }
    }

    /** A malformed write. */
    public static final class Invalid extends StoreException {
        public Invalid(String message) {
            super(Refusal.INVALID, message);
        }
    }

    /** A service would name a secret or config that does not exist, or one in use would go ({@link References}). */
    public static final class BrokenReference extends StoreException {
        public BrokenReference(String message) {
            super(Refusal.REFERENCE, message);
        }
    }
}
