package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.shoal.api.AssignmentsMessage;
import io.shoal.api.Task;
import io.shoal.manager.secrets.SecretCipher;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.ReadTx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The assignments streams of the sessions this manager serves: each sends its node's full task set,
 * data plane, and the secrets and configs of its tasks ({@link Dependencies}) first, then, whenever
 * the store watch wakes it, only what changed (numbered, so a worker that sees a gap starts over). What every node's data plane is cut from is computed once
 * per store index by the first stream that needs it and shared by all.
 */
final class AssignmentStreams {
    private static final Logger LOG = LoggerFactory.getLogger(AssignmentStreams.class);

    private final ClusterStore store;
    private final Sessions sessions;
    private final SecretCipher cipher;
    /** the assignment streams of each node (changes to its tasks) */
    private final Wakeups wakeups = new Wakeups();
    private final Object sharedLock = new Object();
    private volatile Assignments.Shared shared;

    AssignmentStreams(ClusterStore store, Sessions sessions, SecretCipher cipher) {
        this.store = store;
        this.sessions = sessions;
        this.cipher = cipher;
    }

    Wakeups wakeups() {
        return wakeups;
    }

    /**
     * Streams the assignments of session {@code s} on its own virtual thread until the session or the
     * stream ends; called while gRPC starts the call (a cancel handler can be set only then). The
     * worker cancelling the stream wakes it, and so does the end of the session (the dispatcher
     * wakes a node's streams when its session ends).
     */
    void start(Sessions.Session s, ServerCallStreamObserver<AssignmentsMessage> stream) {
        Semaphore wake = wakeups.register(s.nodeId());
        stream.setOnCancelHandler(wake::release);
        Thread.ofVirtual().name("assignments-" + s.nodeId()).start(() -> follow(s, stream, wake));
    }

    private void follow(Sessions.Session s, ServerCallStreamObserver<AssignmentsMessage> stream, Semaphore wake) {
        long seq = 0;
        try {
            Map<String, Task> last = null;
            Assignments.Plane lastPlane = null;
            Dependencies sent = new Dependencies(cipher);
            while (sessions.live(s) && !stream.isCancelled()) {
                record View(List<Task> tasks, Assignments.Plane plane, Dependencies.Needed needed) {}
                View now = store.view(tx -> {
                    List<Task> tasks = tx.tasksOnNode(s.nodeId());
                    return new View(tasks, Assignments.plane(tx, s.nodeId(), tasks, shared(tx)), Dependencies.Needed.of(tx, tasks));
                });
                var msg = sent.into(Assignments.next(last, now.tasks()), now.needed());
                if (msg == null && !now.plane().equals(lastPlane)) {
                    msg = AssignmentsMessage.newBuilder();
                }
                if (msg != null) {
                    stream.onNext(now.plane().into(msg).setSequence(++seq).build());
                }
                last = Assignments.byId(now.tasks());
                lastPlane = now.plane();
                Wakeups.await(wake); // woken or not, read again: the backstop for a change no wake-up covers
            }
            if (!stream.isCancelled()) {
                stream.onError(Status.UNAVAILABLE.withDescription("session ended").asRuntimeException());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug("assignments of {} ended: {}", s.nodeId(), e.toString());
        } finally {
            wakeups.unregister(s.nodeId(), wake);
        }
    }

    /** What every node's data plane is cut from, at the newest index a stream asked for (one per change, not one per node). */
    private Assignments.Shared shared(ReadTx tx) {
        Assignments.Shared s = shared;
        if (s != null && s.index == tx.index()) {
            return s;
        }
        synchronized (sharedLock) {
            s = shared;
            if (s == null || s.index != tx.index()) {
                s = Assignments.Shared.of(tx, cipher);
                if (shared == null || shared.index < s.index) {
                    shared = s;
                }
            }
            return s;
        }
    }
}
