package io.shoal.manager.rpc;

import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;

import java.io.InputStream;

/**
 * Answers a request that is no valid protobuf message of its RPC with INVALID_ARGUMENT and one
 * line naming the message type, rather than gRPC's own "UNKNOWN: Application error processing
 * RPC" and a logged stack trace per request (found by the Control API fuzz test).
 * <p>
 * gRPC parses a request before any interceptor sees it, and a parse failure skips them all; so
 * {@link #guard} rebinds each method with a request marshaller that notes the failure instead of
 * throwing, and a handler that closes such a call before the RPC's own handler runs. Parsing and
 * the delivery of the parsed message happen on one thread, one right after the other, so the note
 * is a thread-local that every parse sets or clears.
 */
public final class MalformedRequests {
    private static final ThreadLocal<String> FAILED = new ThreadLocal<>();

    private MalformedRequests() {}

    /** {@code service} with every protobuf request guarded; other methods as they were. */
    public static ServerServiceDefinition guard(ServerServiceDefinition service) {
        ServiceDescriptor sd = service.getServiceDescriptor();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(sd.getName()).setSchemaDescriptor(sd.getSchemaDescriptor());
        var methods = service.getMethods().stream().map(MalformedRequests::guard).toList();
        methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> md = method.getMethodDescriptor();
        if (!(md.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)) {
            return method;
        }
        MethodDescriptor<Q, R> guarded = md.toBuilder(new Noting<>(proto), md.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(guarded, (call, headers) -> new Refusing<>(handler.startCall(call, headers), call));
    }

    /** Parses as the RPC's own marshaller does; a failure is noted and yields the empty message. */
    private record Noting<Q>(MethodDescriptor.PrototypeMarshaller<Q> inner) implements MethodDescriptor.PrototypeMarshaller<Q> {
        @Override
        public InputStream stream(Q value) {
            return inner.stream(value);
        }

        @Override
        public Q parse(InputStream stream) {
            try {
                Q q = inner.parse(stream);
                FAILED.remove();
                return q;
            } catch (RuntimeException e) {
                Throwable why = e.getCause() != null ? e.getCause() : e;
                FAILED.set(why.getMessage() == null ? "it does not parse" : why.getMessage());
                return inner.getMessagePrototype();
            }
        }

        @Override
        public Q getMessagePrototype() {
            return inner.getMessagePrototype();
        }

        @Override
        public Class<Q> getMessageClass() {
            return inner.getMessageClass();
        }
    }

    /** Closes the call at a request that did not parse; passes nothing more to the RPC's handler then. */
    private static final class Refusing<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, R> call;
        private boolean refused;

        Refusing(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onMessage(Q message) {
            String failed = FAILED.get();
            FAILED.remove();
            if (refused) {
                return;
            }
            if (failed != null) {
                refused = true;
                String type = call.getMethodDescriptor().getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> p
                        && p.getMessagePrototype() instanceof Message m ? m.getDescriptorForType().getFullName() : "request";
                call.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid " + type + " message: " + failed), new Metadata());
                return;
            }
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                super.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                super.onReady();
            }
        }
    }
}
