package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.shoal.api.SessionMessage;
import io.shoal.manager.Ids;
import io.shoal.manager.rpc.Caller;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The worker sessions this manager serves: one per node (a reconnecting worker's new session
 * replaces its old one), each with the stream its session messages go on. A session ends when its
 * worker cancels the stream or the manager closes it; either way the listener given at construction
 * hears of it (the streams that follow the session wait for that instead of polling for it).
 */
final class Sessions {
    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final Consumer<Session> ended;

    Sessions() {
        this(s -> { });
    }

    /** @param ended told of every session that ends, once, after it is forgotten */
    Sessions(Consumer<Session> ended) {
        this.ended = ended;
    }

    /** One worker's session. */
    record Session(String id, String nodeId, ServerCallStreamObserver<SessionMessage> stream) {
        /** Sends a session message unless the worker cancelled the stream. */
        void send(SessionMessage m) {
            synchronized (stream) {
                if (!stream.isCancelled()) {
                    stream.onNext(m);
                }
            }
        }

        /** Ends the session's stream with {@code status} (nothing if it ended already). */
        void close(Status status) {
            try {
                synchronized (stream) {
                    stream.onError(status.asRuntimeException());
                }
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }

    /** A new session of {@code nodeId}; the node's older session, if any, is closed. */
    Session open(String nodeId, ServerCallStreamObserver<SessionMessage> stream) {
        Session s = new Session(Ids.newId(), nodeId, stream);
        closeIf(old -> old.nodeId().equals(nodeId), Status.ABORTED.withDescription("replaced by a newer session"));
        byId.put(s.id(), s);
        stream.setOnCancelHandler(() -> {
            if (byId.remove(s.id()) != null) {
                ended.accept(s);
            }
        });
        return s;
    }

    /** The session a worker's message names; with a caller, only the caller's own. Null otherwise. */
    Session get(String sessionId, Caller caller) {
        Session s = byId.get(sessionId);
        return s == null || (caller != null && !s.nodeId().equals(caller.nodeId())) ? null : s;
    }

    /** Whether {@code s} is still served (not replaced, closed or cancelled by its worker). */
    boolean live(Session s) {
        return byId.containsKey(s.id());
    }

    int size() {
        return byId.size();
    }

    /** Closes and forgets every session that matches. */
    void closeIf(Predicate<Session> which, Status status) {
        for (Session s : byId.values()) {
            if (which.test(s) && byId.remove(s.id(), s)) {
                s.close(status);
                ended.accept(s);
            }
        }
    }

    void closeAll(Status status) {
        closeIf(s -> true, status);
    }
}
