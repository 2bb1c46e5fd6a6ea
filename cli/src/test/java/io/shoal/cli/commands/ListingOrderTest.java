package io.shoal.cli.commands;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.shoal.api.Annotations;
import io.shoal.api.ControlGrpc;
import io.shoal.api.ListNodesRequest;
import io.shoal.api.ListNodesResponse;
import io.shoal.api.ListServicesRequest;
import io.shoal.api.ListServicesResponse;
import io.shoal.api.Node;
import io.shoal.api.NodeDescription;
import io.shoal.api.NodeView;
import io.shoal.api.Service;
import io.shoal.api.ServiceSpec;
import io.shoal.cli.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The order of {@code service ls} (by name) and {@code node ls} (by hostname, then id), whatever the daemon's order. */
class ListingOrderTest {
    @TempDir
    Path dir;

    private EventLoopGroup group;
    private Server server;
    private String host;

    @BeforeEach
    void start() throws Exception {
        Path socket = dir.resolve("shoal.sock");
        host = "unix://" + socket;
        group = new EpollEventLoopGroup(1);
        server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group).workerEventLoopGroup(group)
                .addService(new Shuffled()).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    private List<String> quiet(String... command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] args = new String[command.length + 3];
        args[0] = "-H";
        args[1] = host;
        System.arraycopy(command, 0, args, 2, command.length);
        args[args.length - 1] = "-q";
        assertEquals(0, Main.run(args, new PrintStream(out, true), new PrintStream(err, true)), err.toString());
        return out.toString().lines().toList();
    }

    @Test
    void servicesByName() {
        // as String.compareTo orders names: 'B' < 'a' < 'b' < 'c'
        assertEquals(List.of("id-B", "id-a", "id-b", "id-c"), quiet("service", "ls"));
    }

    @Test
    void nodesByHostnameThenId() {
        assertEquals(List.of("n1", "n3", "n2", "n0"), quiet("node", "ls"));
    }

    /** Answers in an order the CLI has to sort. */
    static final class Shuffled extends ControlGrpc.ControlImplBase {
        private static Service service(String name) {
            return Service.newBuilder().setId("id-" + name)
                    .setSpec(ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name))).build();
        }

        private static NodeView node(String id, String hostname) {
            return NodeView.newBuilder().setNode(Node.newBuilder().setId(id)
                    .setDescription(NodeDescription.newBuilder().setHostname(hostname))).build();
        }

        @Override
        public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> out) {
            out.onNext(ListServicesResponse.newBuilder().addServices(service("c")).addServices(service("a"))
                    .addServices(service("B")).addServices(service("b")).build());
            out.onCompleted();
        }

        @Override
        public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
            out.onNext(ListNodesResponse.newBuilder().addNodes(node("n0", "web")).addNodes(node("n3", "db"))
                    .addNodes(node("n2", "db2")).addNodes(node("n1", "db")).build());
            out.onCompleted();
        }
    }
}
