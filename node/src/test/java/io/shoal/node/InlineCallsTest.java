package io.shoal.node;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.shoal.api.DispatcherGrpc;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Heartbeat streams run on the transport's thread; every other call (a session, a report) on the server's executor. */
class InlineCallsTest {
    private static <Q, R> ServerCall<Q, R> call(MethodDescriptor<Q, R> method) {
        return new ServerCall<>() {
            @Override public void request(int n) { }
            @Override public void sendHeaders(Metadata headers) { }
            @Override public void sendMessage(R message) { }
            @Override public void close(Status status, Metadata trailers) { }
            @Override public boolean isCancelled() { return false; }
            @Override public Attributes getAttributes() { return Attributes.EMPTY; }
            @Override public MethodDescriptor<Q, R> getMethodDescriptor() { return method; }
        };
    }

    @Test
    void heartbeatsRunOnTheCallersThreadAndNothingElseDoes() {
        InlineCalls calls = new InlineCalls();
        Executor e = calls.getExecutor(call(DispatcherGrpc.getHeartbeatsMethod()), new Metadata());
        assertNotNull(e, "heartbeats");
        AtomicReference<Thread> ran = new AtomicReference<>();
        e.execute(() -> ran.set(Thread.currentThread()));
        assertEquals(Thread.currentThread(), ran.get(), "at once, on the transport's thread");
        for (MethodDescriptor<?, ?> m : new MethodDescriptor<?, ?>[] {DispatcherGrpc.getSessionMethod(),
                DispatcherGrpc.getStatusReportsMethod(), DispatcherGrpc.getAssignmentsMethod(),
                DispatcherGrpc.getReportLivenessMethod(), DispatcherGrpc.getHeartbeatMethod()}) {
            assertNull(calls.getExecutor(call(m), new Metadata()), m.getFullMethodName());
        }
    }
}
