package io.shoal.manager.rpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.shoal.api.VersionGrpc;
import io.shoal.api.VersionInfo;
import io.shoal.api.VersionRequest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MalformedRequestsTest {
    static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    @Test
    void aRequestThatDoesNotParseIsInvalidArgumentAndNeverReachesTheHandler() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        VersionGrpc.VersionImplBase service = new VersionGrpc.VersionImplBase() {
            @Override
            public void get(VersionRequest request, StreamObserver<VersionInfo> observer) {
                handled.incrementAndGet();
                observer.onNext(VersionInfo.newBuilder().setVersion("1").build());
                observer.onCompleted();
            }
        };
        String name = "malformed-" + System.nanoTime();
        Server server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(MalformedRequests.guard(service.bindService()), new OneLineErrors())).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        MethodDescriptor<byte[], byte[]> raw = VersionGrpc.getGetMethod().toBuilder(RAW, RAW).build();
        try {
            // before: gRPC's "UNKNOWN: Application error processing RPC" and a stack trace in the log
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT, new byte[]{(byte) 0xff, (byte) 0xff}));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().startsWith("the request is not a valid shoal.VersionRequest message: "),
                    e.getStatus().getDescription());
            assertEquals(0, handled.get());
            // the next request on this thread is judged on its own bytes
            assertEquals("1", VersionGrpc.newBlockingStub(channel).get(VersionRequest.getDefaultInstance()).getVersion());
            ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT, new byte[0]);
            assertEquals(2, handled.get());
        } finally {
            channel.shutdownNow();
            server.shutdownNow();
        }
    }
}
