package io.shoal.manager.dispatcher;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The server side of a stream on which a worker sends messages and is answered (heartbeats,
 * status reports): answers may come from any thread; the first error ends the stream, and
 * nothing is sent after it or after the worker completed it.
 */
abstract class ReplyStream<Q, A> implements StreamObserver<Q> {
    private final StreamObserver<A> out;
    private boolean closed; // guarded by out

    ReplyStream(StreamObserver<A> out) {
        this.out = out;
    }

    /** One message from the worker; answer with {@link #reply} or end with {@link #end}. */
    abstract void handle(Q message);

    final void reply(A answer) {
        synchronized (out) {
            if (!closed) {
                out.onNext(answer);
            }
        }
    }

    final void end(Status status) {
        synchronized (out) {
            if (!closed) {
                closed = true;
                out.onError(status.asRuntimeException());
            }
        }
    }

    private boolean isClosed() {
        synchronized (out) {
            return closed;
        }
    }

    @Override
    public final void onNext(Q message) {
        if (!isClosed()) {
            handle(message);
        }
    }

    @Override
    public final void onError(Throwable t) {
        synchronized (out) {
            closed = true;
        }
    }

    @Override
    public final void onCompleted() {
        synchronized (out) {
            if (!closed) {
                closed = true;
                out.onCompleted();
            }
        }
    }
}
