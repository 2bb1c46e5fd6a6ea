package io.shoal.manager.rpc;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.shoal.api.ControlGrpc;
import io.shoal.api.Event;
import io.shoal.api.EventsRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.Service;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Forwarder#abandon}: unary calls relayed to a target that the route left get UNAVAILABLE at
 * once (instead of waiting out their deadline on a daemon that never answers), while calls relayed
 * elsewhere, calls already answered and streaming calls are left alone.
 */
class ForwarderAbandonTest {
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    /** A daemon that holds every GetService call (the test answers them) and every event stream. */
    private static final class Holding extends ControlGrpc.ControlImplBase {
        final BlockingQueue<StreamObserver<Service>> gets = new LinkedBlockingQueue<>();
        final BlockingQueue<StreamObserver<Event>> streams = new LinkedBlockingQueue<>();

        @Override
        public void getService(GetServiceRequest request, StreamObserver<Service> reply) {
            gets.add(reply);
        }

        @Override
        public void events(EventsRequest request, StreamObserver<Event> reply) {
            streams.add(reply);
        }
    }

    @AfterEach
    void close() {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
    }

    private ManagedChannel serve(ServerServiceDefinition service) throws Exception {
        String name = "fwd-" + UUID.randomUUID();
        servers.add(InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start());
        ManagedChannel ch = InProcessChannelBuilder.forName(name).directExecutor().build();
        channels.add(ch);
        return ch;
    }

    @Test
    void unaryCallsToAFormerTargetAreGivenUpAndTheRestAreNot() throws Exception {
        Holding oldLeader = new Holding();
        Holding newLeader = new Holding();
        Channel toOld = serve(oldLeader.bindService());
        Channel toNew = serve(newLeader.bindService());
        AtomicReference<Channel> route = new AtomicReference<>(toOld);
        Forwarder forwarder = new Forwarder(hops -> route.get());
        Channel front = serve(ServerInterceptors.intercept(new ControlGrpc.ControlImplBase() {}, forwarder));
        ControlGrpc.ControlFutureStub client = ControlGrpc.newFutureStub(front).withDeadlineAfter(5, TimeUnit.MINUTES);

        // a unary call and an event stream, both relayed to the old target, which answers neither
        Future<Service> stuck = client.getService(GetServiceRequest.newBuilder().setService("a").build());
        assertNotNull(oldLeader.gets.poll(30, TimeUnit.SECONDS), "the unary call was not relayed");
        BlockingQueue<Object> streamed = new LinkedBlockingQueue<>();
        ControlGrpc.newStub(front).events(EventsRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(Event e) {
                streamed.add(e);
            }

            @Override
            public void onError(Throwable t) {
                streamed.add(t);
            }

            @Override
            public void onCompleted() {
                streamed.add("completed");
            }
        });
        StreamObserver<Event> oldStream = oldLeader.streams.poll(30, TimeUnit.SECONDS);
        assertNotNull(oldStream, "the stream was not relayed");

        // the route moves; a call made now goes to the new target
        route.set(toNew);
        Future<Service> moved = client.getService(GetServiceRequest.newBuilder().setService("b").build());
        StreamObserver<Service> newGet = newLeader.gets.poll(30, TimeUnit.SECONDS);
        assertNotNull(newGet, "the call after the move was not relayed to the new target");

        assertEquals(1, forwarder.abandon(target -> target == toOld, "the leader moved: check and try again"),
                "exactly the one unary call to the old target is given up");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stuck.get(30, TimeUnit.SECONDS));
        StatusRuntimeException status = assertInstanceOf(StatusRuntimeException.class, e.getCause());
        assertEquals(Status.Code.UNAVAILABLE, status.getStatus().getCode());
        assertEquals("the leader moved: check and try again", status.getStatus().getDescription());

        // the stream to the old target still relays
        oldStream.onNext(Event.newBuilder().setType("service").setAction("create").build());
        Object first = streamed.poll(30, TimeUnit.SECONDS);
        assertInstanceOf(Event.class, first, "the stream was cut: " + first);

        // the call to the new target is not given up, and its answer arrives
        assertEquals(0, forwarder.abandon(target -> target == toOld, "again"));
        newGet.onNext(Service.newBuilder().setId("b").build());
        newGet.onCompleted();
        assertEquals("b", moved.get(30, TimeUnit.SECONDS).getId());
        // an answered call is no longer tracked
        assertEquals(0, forwarder.abandon(target -> true, "everything"));
    }
}
