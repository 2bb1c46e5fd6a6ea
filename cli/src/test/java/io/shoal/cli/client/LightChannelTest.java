package io.shoal.cli.client;

import com.google.protobuf.ByteString;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.shoal.api.Annotations;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.EventsRequest;
import io.shoal.api.GetServiceRequest;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListNodesResponse;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.Secret;
import io.shoal.api.SecretSpec;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The light client against a real grpc-java server on a unix socket, set up as the daemon's
 * {@code LocalSocket} sets up its own (Netty, epoll, one event loop).
 */
class LightChannelTest {
    @TempDir
    Path dir;

    private Path socket;
    private final Daemon daemon = new Daemon();
    private final AtomicInteger streamingMade = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        socket = dir.resolve("shoal.sock");
        daemon.serve(socket);
    }

    @AfterEach
    void stop() throws Exception {
        daemon.stop();
    }

    private LightChannel channel() {
        return new LightChannel(socket, () -> {
            streamingMade.incrementAndGet();
            return new Channel() {
                @Override
                public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> m, CallOptions o) {
                    throw Status.UNIMPLEMENTED.withDescription("streaming stand-in").asRuntimeException();
                }

                @Override
                public String authority() {
                    return "localhost";
                }
            };
        });
    }

    private static ControlGrpc.ControlBlockingStub stub(Channel c) {
        return ControlGrpc.newBlockingStub(c).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @Test
    void unaryCallsShareOneConnectionAndAnswer() {
        try (LightChannel c = channel()) {
            for (int i = 0; i < 3; i++) {
                ListServicesResponse r = stub(c).listServices(ListServicesRequest.getDefaultInstance());
                assertEquals(1, r.getServicesCount());
                assertEquals("web", r.getServices(0).getSpec().getAnnotations().getName());
                assertEquals(2, r.getRunningOrThrow(r.getServices(0).getId()));
            }
            assertEquals(3, daemon.calls.get());
            assertEquals(1, daemon.connections(), "one connection for every call");
            assertEquals(0, streamingMade.get(), "unary calls make no streaming channel");
        }
    }

    @Test
    void aStatusErrorKeepsItsCodeAndItsPercentDecodedMessage() {
        try (LightChannel c = channel()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> stub(c).getService(GetServiceRequest.newBuilder().setService("wëb").build()));
            assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
            assertEquals("service \"wëb\" not found: 100% gone, 50%25 left\r\nsecond line", e.getStatus().getDescription());
            // the connection goes on after an error status
            assertEquals(1, stub(c).listServices(ListServicesRequest.getDefaultInstance()).getServicesCount());
        }
    }

    @Test
    void responsesOverTheFlowControlWindowAndOverOneMebibyteArrive() {
        try (LightChannel c = channel()) {
            for (int size : new int[] {100 * 1024, 3 * 1024 * 1024 / 2}) {
                daemon.nodesBytes = size;
                ListNodesResponse big = stub(c).listNodes(ListNodesRequest.getDefaultInstance());
                assertTrue(big.getSerializedSize() >= size, "got " + big.getSerializedSize());
                assertEquals(daemon.lastNodes, big);
            }
        }
    }

    @Test
    void aResponseOverTheFourMebibyteLimitIsRefusedAsGrpcJavaRefusesIt() {
        daemon.nodesBytes = 5 * 1024 * 1024;
        try (LightChannel c = channel()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> stub(c).listNodes(ListNodesRequest.getDefaultInstance()));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("gRPC message exceeds maximum size 4194304"), e.getMessage());
        }
    }

    @Test
    void requestsLargerThanAFrameAndTheInitialWindowAreSplit() {
        try (LightChannel c = channel()) {
            for (int size : new int[] {20 * 1024, 200 * 1024}) {
                byte[] data = new byte[size];
                for (int i = 0; i < size; i++) {
                    data[i] = (byte) (i * 31);
                }
                Secret s = stub(c).createSecret(CreateSecretRequest.newBuilder().setSpec(SecretSpec.newBuilder()
                        .setAnnotations(Annotations.newBuilder().setName("big")).setData(ByteString.copyFrom(data))).build());
                assertEquals("big-" + size, s.getId());
                assertEquals(ByteString.copyFrom(data), s.getSpec().getData(), "the server got every byte in order");
            }
        }
    }

    @Test
    void aDeadlineEndsTheCallAndTheNextCallConnectsAgain() {
        try (LightChannel c = channel()) {
            long t0 = System.nanoTime();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ControlGrpc.newBlockingStub(c)
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS).getService(GetServiceRequest.newBuilder().setService("hang").build()));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
            assertTrue(e.getStatus().getDescription().startsWith("deadline exceeded after 0."), e.getStatus().getDescription());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300));
            assertEquals(1, stub(c).listServices(ListServicesRequest.getDefaultInstance()).getServicesCount());
        }
    }

    @Test
    void noServerIsUnavailableWithAnIoException() throws Exception {
        try (LightChannel c = new LightChannel(dir.resolve("nothing.sock"), () -> null)) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> stub(c).listServices(ListServicesRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
            assertEquals("io exception", e.getStatus().getDescription());
        }
    }

    @Test
    void aServerThatDiesMidCallMakesTheCallUnavailable() throws Exception {
        // a daemon that is killed: it takes the connection, reads the request, and the socket closes
        Path dead = dir.resolve("dead.sock");
        try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ss.bind(UnixDomainSocketAddress.of(dead));
            Thread crash = new Thread(() -> {
                try (SocketChannel peer = ss.accept()) {
                    peer.read(ByteBuffer.allocate(256));
                } catch (IOException ignored) {
                    // the test sees what the client makes of it
                }
            });
            crash.start();
            try (LightChannel c = new LightChannel(dead, () -> null)) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> stub(c).listServices(ListServicesRequest.getDefaultInstance()));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
            }
            crash.join();
        }
    }

    @Test
    void streamingCallsGoToTheOtherChannel() {
        try (LightChannel c = channel()) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> ControlGrpc.newBlockingStub(c).events(EventsRequest.getDefaultInstance()).hasNext());
            assertEquals("streaming stand-in", e.getStatus().getDescription());
            assertEquals(1, streamingMade.get());
        }
    }

    @Test
    void theCliPrintsTheSameTableAndTheSameOneLineErrorsThroughIt() {
        String host = "unix://" + socket;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"-H", host, "service", "ls"}, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(0, code, err.toString());
        assertEquals(List.of("ID  NAME  MODE        REPLICAS  IMAGE           PORTS",
                "s1  web   replicated  2/2       busybox:latest"), out.toString().lines().toList());
        // a method the server does not implement: its UNIMPLEMENTED status as one line, exit 1
        out.reset();
        code = Main.run(new String[] {"-H", host, "service", "inspect", "web"}, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(1, code);
        assertTrue(err.toString().endsWith("Error: Method shoal.Control/ListNetworks is unimplemented\n"), err.toString());
    }

    /** The daemon's side: one service; nodes of a chosen size; errors; a call that never answers. */
    static final class Daemon extends ControlGrpc.ControlImplBase {
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch hanging = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger connections = new AtomicInteger();
        volatile int nodesBytes;
        volatile ListNodesResponse lastNodes;
        private EventLoopGroup group;
        private Server server;

        /** Serves this daemon on SOCKET as the daemon's LocalSocket does, counting connections, until {@link #stop}. */
        void serve(Path socket) throws IOException {
            group = new EpollEventLoopGroup(1);
            server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(group).workerEventLoopGroup(group)
                    .addTransportFilter(new ServerTransportFilter() {
                        @Override
                        public Attributes transportReady(Attributes attrs) {
                            connections.incrementAndGet();
                            return attrs;
                        }
                    })
                    .addService(this).build().start();
        }

        /** Releases a hanging call and stops serving. */
        void stop() throws InterruptedException {
            release.countDown();
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }

        int connections() {
            return connections.get();
        }

        private void seen() {
            calls.incrementAndGet();
        }

        @Override
        public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> out) {
            seen();
            ServiceSpec spec = ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName("web"))
                    .setReplicated(io.shoal.api.ReplicatedService.newBuilder().setReplicas(2))
                    .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("busybox:latest"))).build();
            out.onNext(ListServicesResponse.newBuilder().addServices(Service.newBuilder().setId("s1").setSpec(spec))
                    .putRunning("s1", 2).putDesired("s1", 2).build());
            out.onCompleted();
        }

        @Override
        public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
            ListNodesResponse.Builder b = ListNodesResponse.newBuilder();
            int i = 0;
            while (b.build().getSerializedSize() < nodesBytes) {
                String host = "host-" + i++ + "-" + "h".repeat(1000);
                b.addNodes(io.shoal.api.NodeView.newBuilder().setNode(io.shoal.api.Node.newBuilder().setId("n" + i)
                        .setDescription(io.shoal.api.NodeDescription.newBuilder().setHostname(host))));
            }
            lastNodes = b.build();
            out.onNext(lastNodes);
            out.onCompleted();
        }

        @Override
        public void getService(GetServiceRequest request, StreamObserver<Service> out) {
            if (request.getService().equals("hang")) {
                hanging.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.onError(Status.CANCELLED.asRuntimeException());
                return;
            }
            out.onError(Status.NOT_FOUND.withDescription("service \"" + request.getService()
                    + "\" not found: 100% gone, 50%25 left\r\nsecond line").asRuntimeException());
        }

        @Override
        public void createSecret(CreateSecretRequest request, StreamObserver<Secret> out) {
            out.onNext(Secret.newBuilder().setId("big-" + request.getSpec().getData().size()).setSpec(request.getSpec()).build());
            out.onCompleted();
        }
    }
}
